"""The toasts a person reads (errors, warnings, notes), always as text: Gradio renders a toast's message as
HTML, and messages quote what people and files wrote (an uploaded file's column names, a document's title),
which must never become markup in the operator's browser."""

from __future__ import annotations

import html

import gradio as gr  # only the Gradio apps import this module; `ui.app` imports them only when serving


def error(message: str | BaseException) -> gr.Error:
    """An error toast (raise it from a handler) showing `message` as text."""
    return gr.Error(html.escape(str(message)))


def warning(message: str) -> None:
    """Show a warning toast with `message` as text."""
    gr.Warning(html.escape(message))


def info(message: str) -> None:
    """Show a note with `message` as text."""
    gr.Info(html.escape(message))
