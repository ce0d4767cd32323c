from django.http import JsonResponse

from .assistant import reply

TONES = ("friendly", "formal")


def answer(request):
    result = reply(request.POST["ticket"], request.POST["tone"])
    return JsonResponse({"text": result.content[0].text})


def answer_checked(request):
    tone = request.POST["tone"]
    if tone not in TONES:
        tone = "friendly"
    return JsonResponse({"text": reply(request.POST["ticket"], tone).content[0].text})
