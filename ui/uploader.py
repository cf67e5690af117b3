"""The file uploader, in the user's language.

Streamlit 1.67 writes "Upload" on the uploader's button and "100MB per file" beside it, in English, and
has no parameter for either (streamlit/streamlit#13500). One style rule hides those two texts and shows
the label table's words in their place; should a later Streamlit rename its parts, the rule matches
nothing and the English shows again, the widget unharmed."""

from __future__ import annotations

import streamlit as st
from streamlit import config
from streamlit.runtime.uploaded_file_manager import UploadedFile

from ui.context import PageContext

_ZONE = '[data-testid="stFileUploaderDropzone"]'
_PARTS = {
    f"{_ZONE} button [data-testid=\"stMarkdownContainer\"] p": "insp.data.browse",
    '[data-testid="stFileUploaderDropzoneInstructions"] span': "insp.data.drop_limit",
}


def css_text(text: str) -> str:
    """`text` as a CSS string literal (quotes, backslashes and line ends escaped)."""
    return '"' + "".join(c if c.isalnum() or c in " ·.,()（）" else f"\\{ord(c):x} " for c in text) + '"'


def style(ctx: PageContext, limit_mb: int) -> str:
    rules = [f"{sel} {{ font-size: 0; }} {sel}::after {{ content: {css_text(ctx.t(key, limit=limit_mb))}; "
             "font-size: 0.875rem; }" for sel, key in _PARTS.items()]
    return "<style>" + "\n".join(rules) + "</style>"


def widget_limit_mb(limit_mb: int) -> int:
    """The widget's own size limit for a product limit of `limit_mb`: twice it, within the server's
    `server.maxUploadSize` (ui.serve raises that to match). The widget drops a file over its limit with
    only an English tooltip and never sends it, so the summary could not name it; a file up to twice the
    limit reaches the loader, which refuses it by name and says the limit (insp.data.too_large), in MiB,
    the unit Windows shows as MB. Not without bound: Streamlit holds an upload in the server's memory."""
    server = config.get_option("server.maxUploadSize")
    return max(limit_mb, min(2 * limit_mb, int(server)))


def show(ctx: PageContext, key: str, limit_mb: int) -> list[UploadedFile] | None:
    """Several files at most `limit_mb` each (the loader checks it). No `type=`: the widget would drop a
    file of another type with an English note of its own; the loader refuses it by name, in the user's
    language. The same holds for the size: the widget takes files up to `widget_limit_mb`."""
    st.html(style(ctx, limit_mb))  # style only: no space taken
    return st.file_uploader(ctx.t("insp.data.files"), accept_multiple_files=True, key=key,
                            max_upload_size=widget_limit_mb(limit_mb))
