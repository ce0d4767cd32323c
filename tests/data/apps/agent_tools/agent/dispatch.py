from .tools import describe, run_shell


def dispatch(action):
    return run_shell(action)


def preview(action):
    return describe(action)
