"""A Gradio chatbot on the Hugging Face Inference API, with a system-prompt box."""

import gradio as gr
from huggingface_hub import InferenceClient

client = InferenceClient("HuggingFaceH4/zephyr-7b-beta")


def respond(message, history, system_message, max_tokens):
    messages = [{"role": "system", "content": system_message}]
    for turn in history:
        messages.append({"role": turn["role"], "content": turn["content"]})
    messages.append({"role": "user", "content": message})
    return client.chat_completion(messages, max_tokens=int(max_tokens)).choices[0].message.content  # <- AIS201


def summarise(text):
    return client.text_generation(f"Summarise the following text in two sentences:\n{text}")  # <- AIS202


def echo(text):
    return client.text_generation(text)


demo = gr.ChatInterface(
    respond,
    type="messages",
    additional_inputs=[gr.Textbox(value="You are a friendly chatbot."), gr.Slider(1, 2048, value=512)],
)
with gr.Blocks() as tools:
    box = gr.Textbox()
    out = gr.Textbox()
    gr.Button("Summarise").click(summarise, inputs=box, outputs=out)
    gr.Button("Echo").click(echo, inputs=box, outputs=out)

if __name__ == "__main__":
    demo.launch()
