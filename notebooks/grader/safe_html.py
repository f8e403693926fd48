"""Which HTML a grader's browser may be shown: one allowlist, applied with bleach.

Student text reaches the page as HTML in two ways: raw HTML (markdown passes it through, and
outputs carry it) and markdown's own syntax, which makes links and images no HTML sanitizer
sees (``[x](javascript:...)``). So there are three functions, one policy:

- ``clean_html(html)``: bleach, the sanitizer nbconvert itself uses, keeps the tags of text,
  lists, tables and code, and of their attributes only titles, sizes, classes (syntax
  highlighting), links to http, https, mailto or relative addresses, and images from
  ``data:image/png|jpeg|gif``. Everything else (scripts, styles, SVG, frames, forms, event
  handlers, ids) is shown as text or dropped. nbconvert's own ``clean_html`` allows no
  ``<p>``, ``<h1>``, ``<img>`` or ``<th>`` and escapes them, which would print raw tags all
  over the feedback: hence an allowlist of our own.
- ``clean_markdown(source)``: the same on markdown source, then the cleaned cell is rendered
  with nbconvert's own markdown renderer and every tag and URL of the result checked; a cell
  that still yields something unsafe, or fails to render, is shown as its source text.
- ``safe_markdown2html``: nbconvert's ``markdown2html`` template filter with ``clean_html``
  on its result, for templates (nbgrader's) that render markdown without cleaning it.

>>> clean_markdown("[x](javascript:steal())")[1]
'unsafe link'
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import bleach
import jinja2
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details"}
TAGS |= {"div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins"}
TAGS |= {"kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong"}
TAGS |= {"sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u"}
TAGS |= {"ul", "var"}
PLAIN_ATTRS = {"title", "alt", "width", "height", "colspan", "rowspan", "align", "start"}
CLASSES = re.compile(r"^[A-Za-z0-9_ -]{0,200}$")  # syntax highlighting, anchor links
IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*$", re.I)
HIDDEN_ELEMENTS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)  # cosmetic only
# After bleach every "<" that is not an allowed tag reads "&lt;". In HTML and in markdown
# only "<" followed by a letter, "/", "!" or "?" can open markup, so the other "&lt;", every
# "&gt;", and each "&amp;" that does not start an entity are turned back: code spans, math
# and blockquotes then read as the student wrote them.
HARMLESS_ESCAPES = re.compile(r"&gt;|&amp;(?![A-Za-z0-9#]+;)|&lt;(?![A-Za-z/!?])")


def _unescape_harmless(text: str) -> str:
    return HARMLESS_ESCAPES.sub(lambda m: {"&gt;": ">", "&amp;": "&"}.get(m[0], "<"), text)


def _url(value: str) -> str:
    """A URL as a browser reads it: control characters and whitespace gone, lower case."""
    return re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(value or "")).lower()


def _link_ok(value: str) -> bool:
    """http, https, mailto or a relative link (it needs a click, and runs nothing)."""
    scheme = re.match(r"([a-z][a-z0-9+.-]*):", _url(value))
    return scheme is None or scheme[1] in ("http", "https", "mailto")


def _image_ok(value: str, attachments: bool) -> bool:
    url = re.sub(r"[\x00-\x20\x7f]+", "", value or "")
    return bool(IMAGE_DATA.match(url)) or (attachments and _url(value).startswith("attachment:"))


def _attribute_filter(attachments: bool):
    def allowed(tag: str, name: str, value: str) -> bool:
        if name == "class":
            return bool(CLASSES.match(value))
        if name == "href":
            return tag == "a" and _link_ok(value)
        if name == "src":
            return tag == "img" and _image_ok(value, attachments)
        return name in PLAIN_ATTRS

    return allowed


def bleach_html(text: str, *, attachments: bool = False) -> str:
    """bleach with our allowlist; ``attachments`` also lets images name a cell attachment."""
    protocols = {"http", "https", "mailto", "data"} | ({"attachment"} if attachments else set())
    return bleach.clean(
        text, tags=TAGS, attributes=_attribute_filter(attachments), protocols=protocols
    )


def clean_html(text) -> str:
    """HTML with only the allowlist left; other tags are shown as text, not run.

    >>> clean_html('<p onclick="x()">hi<script>steal()</script></p>')
    '<p>hi</p>'
    """
    text = text.decode() if isinstance(text, bytes) else str(text)
    return bleach_html(HIDDEN_ELEMENTS.sub("", text), attachments=False)


class _Markup(HTMLParser):
    """Collects the tags and attributes of rendered HTML, to check what markdown produced."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.unsafe: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in TAGS:
            self.unsafe.append(f"<{tag}>")
        for name, value in attrs:
            bad_url = (name == "href" and not _link_ok(value or "")) or (
                name == "src" and not _image_ok(value or "", attachments=False)
            )
            if name.startswith("on") or name in ("style", "srcset", "formaction") or bad_url:
                self.unsafe.append(f"{name}={(value or '')[:40]!r}")


def _render_markdown(source: str, attachments: dict) -> str:
    renderer = IPythonRenderer(escape=False, attachments=attachments)
    return MarkdownWithMath(renderer=renderer).render(source)


def as_text(source: str, why: str) -> str:
    """Markdown that shows ``source`` verbatim: one HTML block each, so no markdown inside."""
    why, text = (_unescape_harmless(html.escape(t)) for t in (" ".join(why.split()), source))
    return f"<p><em>[shown as text: {why}]</em></p>\n\n<pre>{text}</pre>"


def clean_markdown(source: str, attachments: dict | None = None) -> tuple[str, str | None]:
    """Markdown whose rendering is safe, and why it changed (None when it did not)."""
    cleaned = _unescape_harmless(bleach_html(source, attachments=True))
    try:
        parser = _Markup()
        parser.feed(_render_markdown(cleaned, attachments or {}))
        if parser.unsafe:
            return as_text(source, "it links to " + ", ".join(parser.unsafe[:3])), "unsafe link"
    except Exception as err:  # nbconvert raises on a missing attachment, for one
        return as_text(source, f"it did not render ({type(err).__name__})"), "did not render"
    return cleaned, None if cleaned == source else "markdown HTML cleaned"


@jinja2.pass_context
def safe_markdown2html(context, source: str) -> str:
    """The template filter ``markdown2html``, its result cleaned (attachments still embed)."""
    cell = context.get("cell") or {}
    try:
        rendered = _render_markdown(source, cell.get("attachments") or {})
    except Exception:
        rendered = f"<pre>{html.escape(source)}</pre>"
    return clean_html(rendered)
