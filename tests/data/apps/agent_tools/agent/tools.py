import subprocess


def run_shell(command):
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout


def describe(command):
    return f"would run: {command}"
