"""The apps' look: one theme (system fonts only: nothing is fetched from the internet) and the CSS for
headers, footnotes and product cards."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr

SHOP_NAME = "Chronotope Store"
FONTS = ("Inter", "ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif")
MONO = ("ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace")

CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto; }
.app-header { display: flex; align-items: center; gap: 12px; padding: 2px 2px 4px; }
.app-header .logo { width: 38px; height: 38px; border-radius: 10px; display: flex; align-items: center;
  justify-content: center; background: linear-gradient(135deg, #4f46e5, #0ea5e9); color: white;
  font-weight: 700; font-size: 19px; flex: none; }
.app-header .name { font-size: 19px; font-weight: 700; color: var(--body-text-color); line-height: 1.15; }
.app-header .tagline { font-size: 13px; color: var(--body-text-color-subdued); }
.app-header .badge { margin-left: auto; font-size: 12px; padding: 3px 10px; border-radius: 999px;
  background: var(--color-accent-soft); color: var(--color-accent); font-weight: 600; }
.fine-print { font-size: 12px; color: var(--body-text-color-subdued); text-align: center; }
.fine-print code { font-size: 11px; }
.sign-out { float: right; font-size: 13px; color: var(--body-text-color-subdued); margin-top: -8px; }
.signed-in { font-size: 13px; color: var(--body-text-color-subdued); padding: 4px 2px; }
.cite-ref { color: var(--color-accent); font-weight: 600; }
.footnotes { margin-top: 10px; border-top: 1px solid var(--border-color-primary); padding-top: 6px; }
.footnote { font-size: 13px; margin: 4px 0; }
.footnote summary { cursor: pointer; color: var(--color-accent); font-weight: 500; }
.footnote blockquote { margin: 6px 0 2px 0; padding: 6px 10px; border-left: 3px solid var(--color-accent);
  background: var(--background-fill-secondary); border-radius: 4px; font-size: 13px; }
.footnote-source { font-size: 11px; color: var(--body-text-color-subdued); }
.product-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(125px, 1fr)); gap: 8px;
  margin-top: 8px; }
.product-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 8px 10px;
  background: var(--background-fill-primary); }
.pc-category { font-size: 11px; text-transform: uppercase; letter-spacing: .04em;
  color: var(--body-text-color-subdued); }
.pc-name { font-weight: 600; font-size: 14px; margin: 2px 0 4px; }
.pc-price { font-size: 13px; }
.pc-badge { font-size: 11px; padding: 1px 6px; border-radius: 999px; margin-left: 4px; }
.pc-in { background: #dcfce7; color: #166534; }
.pc-out { background: #fee2e2; color: #991b1b; }
.pc-reason { font-size: 12px; color: var(--body-text-color-subdued); margin-top: 4px; }
.pc-id { font-size: 10px; color: var(--body-text-color-subdued); margin-top: 4px; }
button.example { border: 1px solid var(--border-color-primary) !important; border-radius: 12px !important;
  background: var(--background-fill-primary) !important; box-shadow: var(--shadow-drop) !important; }
button.example:hover { border-color: var(--color-accent) !important; }
#customer-chat .examples { display: grid !important; grid-template-columns: 1fr 1fr; gap: 6px; }
#customer-chat button.example { padding: 6px 10px !important; min-height: 0 !important; }
#customer-chat .placeholder-content h3 { margin-bottom: 4px; }
.send-row { align-items: stretch; }
.send-row button { min-width: 84px; }
.examples-row button { font-size: 13px !important; }
.section-note { font-size: 13px; color: var(--body-text-color-subdued); }
footer { display: none !important; }
"""


def app_theme() -> gr.themes.Base:
    """Soft indigo theme with system fonts."""
    import gradio as gr

    return gr.themes.Soft(
        primary_hue="indigo",
        secondary_hue="sky",
        neutral_hue="slate",
        radius_size="md",
        font=list(FONTS),
        font_mono=list(MONO),
    )


def header_html(tagline: str, badge: str | None = None) -> str:
    """The shop's header: logo, name, tagline and an optional badge (e.g. 'Operator console')."""
    badge_html = f'<span class="badge">{badge}</span>' if badge else ""
    return (
        '<div class="app-header"><div class="logo">C</div><div>'
        f'<div class="name">{SHOP_NAME}</div><div class="tagline">{tagline}</div></div>{badge_html}</div>'
    )
