"""Django views for a recipe site: Gemini via google-genai, profile bios from the database."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views import View
from google import genai
from google.genai import types

from .models import Profile, Recipe

client = genai.Client()
BASE = "You are a cooking assistant. Only talk about food."


def suggest(request):
    diet = request.GET.get("diet", "")
    config = types.GenerateContentConfig(system_instruction=f"{BASE} The user follows this diet: {diet}")  # <- AIS201
    response = client.models.generate_content(model="gemini-2.5-flash", contents=request.GET["q"], config=config)
    return JsonResponse({"text": response.text})


def recipe_help(request, recipe_id):
    recipe = get_object_or_404(Recipe, pk=recipe_id)
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents=[{"role": "user", "parts": [{"text": request.POST["question"]}]}],
        config={"system_instruction": f"{BASE} Recipe notes from the author: {recipe.notes}"},  # <- AIS204
    )
    return JsonResponse({"text": response.text})


class ProfileChat(View):
    def post(self, request):
        profile = Profile.objects.get(user=request.user)
        servings = int(request.POST["servings"])
        config = types.GenerateContentConfig(system_instruction=f"{BASE} Scale recipes to {servings} servings.")
        chat = client.chats.create(model="gemini-2.5-flash", config=config)
        reply = chat.send_message(request.POST["message"])
        bio = client.models.generate_content(
            model="gemini-2.5-flash",
            contents=[
                {"role": "user", "parts": [{"text": "Suggest a dinner."}]},
                {"role": "model", "parts": [{"text": profile.last_suggestion}]},
            ],
            config=types.GenerateContentConfig(system_instruction=f"About the cook: {profile.bio}"),  # <- AIS204
        )
        return JsonResponse({"reply": reply.text, "bio": bio.text})


def echo(request):
    text = request.POST["text"]
    response = client.models.generate_content(model="gemini-2.5-flash", contents=text)
    return JsonResponse({"text": response.text})
