"""The digest written out: Markdown, one self-contained HTML page, or Slack Block Kit JSON.

- Markdown: plain text a person or a ticket reads.
- HTML: one file with inline CSS and inline SVG charts (the pacing curve against its
  budget; the anomalous series against its band). It names no URL at all (no font, no
  script, no image from elsewhere), so opening it sends nothing anywhere. Every text from
  the marts is escaped.
- Slack: a Block Kit message (header, sections, context, dividers) within Slack's limits:
  at most 50 blocks, 150 characters in a header, 3,000 in a section's text; text in
  Slack's ``mrkdwn`` with ``&``, ``<`` and ``>`` escaped.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from argo.digest import Chart, Digest, Item

FORMATS = {"md": "md", "html": "html", "slack": "json"}
#: Slack's Block Kit limits (docs.slack.dev: blocks, header and section blocks).
SLACK_MAX_BLOCKS = 50
SLACK_HEADER_MAX = 150
SLACK_SECTION_MAX = 3000
SLACK_CONTEXT_ELEMENTS_MAX = 10


def money(value: float, currency: str) -> str:
    """``KRW 1,234,567``."""
    return f"{currency} {value:,.0f}"


def title(digest: Digest) -> str:
    """The digest's title: day and AE."""
    return f"ARGO digest {digest.day.isoformat()} for {digest.owner.name}"


def summary(digest: Digest) -> str:
    """One line: what the digest holds."""
    counts = digest.counts
    parts = [f"{counts.get(e, 0)} {e}" for e in ("new", "worsened", "cleared")]
    text = ", ".join(parts)
    if digest.items or digest.more:
        text += f"; {money(digest.money_at_risk, digest.currency)} at risk"
    return text


def standing_line(digest: Digest) -> str | None:
    """What is left out: alerts still open and unchanged, and those acknowledged/snoozed."""
    parts = []
    if digest.standing:
        parts.append(
            f"{digest.standing} standing alert{'s' if digest.standing != 1 else ''} unchanged "
            "(not re-sent)"
        )
    if digest.suppressed:
        parts.append(f"{digest.suppressed} acknowledged or snoozed")
    return "; ".join(parts) + " (`argo alerts list`)" if parts else None


def unsuppressed_line(digest: Digest) -> str | None:
    """The warning at the top when the alert state could not be read."""
    if digest.unsuppressed is None:
        return None
    return (
        "UNSUPPRESSED: every alert is shown, acknowledged and snoozed ones too, because "
        + digest.unsuppressed
    )


def headline(item: Item) -> str:
    """The alert's headline (else its reason, else its id)."""
    return str(item.get("headline") or item.get("reason") or item.alert_id)


def where_line(item: Item) -> str:
    """Where the alert is, unless its headline already says so (the marts' usually do)."""
    return "" if item.where and item.where in headline(item) else item.where


def one_line(item: Item) -> str:
    """``where: headline`` without saying where twice."""
    return headline(item) if not where_line(item) else f"{item.where}: {headline(item)}"


def label(item: Item) -> str:
    """``NEW · high``."""
    severity = item.get("severity")
    return item.event.upper() + (f" · {severity}" if severity else "")


def episode(item: Item) -> str:
    """``first seen 2026-11-18 (3 days open)``."""
    first, days = item.get("first_seen"), item.get("days_open")
    text = f"first seen {first}" if first else ""
    if days is not None:
        text += f" ({int(days)} day{'s' if int(days) != 1 else ''} open)"
    return text


def no_budget_text(name: str, platforms: list[str]) -> str:
    """The line for an advertiser that spends with no budget in the plan."""
    where = f" (spend on {', '.join(platforms)})" if platforms else ""
    return f"{name}: no budget in the plan{where}"


# --- Markdown ----------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: Any) -> str:
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def markdown(digest: Digest) -> str:
    """The digest as Markdown."""
    out = [f"# {_md(title(digest))}", ""]
    warning = unsuppressed_line(digest)
    if warning:
        out += [f"> **{_md(warning)}**", ""]
    out += [_md(summary(digest)), ""]
    if digest.is_quiet:
        out += ["Nothing new today: no alert started, worsened or cleared.", ""]
    for number, item in enumerate(digest.items, start=1):
        out += [f"## {number}. [{_md(label(item))}] {_md(headline(item))}", ""]
        if where_line(item):
            out.append(f"- {_md(where_line(item))}")
        out.append(
            f"- Money at risk: {_md(money(item.money, digest.currency))} · "
            f"{_md(item.get('alert_kind') or '')} · {_md(episode(item))}"
        )
        if item.get("reason"):
            out.append(f"- Why: {_md(item.get('reason'))}")
        if item.get("evidence"):
            out.append(f"- Evidence: {_md(item.get('evidence'))}")
        if item.facts:
            out.append("- " + "; ".join(f"{_md(k)}: {_md(v)}" for k, v in item.facts))
        out += [f"- alert_id `{item.alert_id}`", ""]
    if digest.more:
        out += [
            f"+{digest.more} more ({_md(money(digest.money_beyond_top, digest.currency))} at "
            f"risk): `argo alerts list --date {digest.day} --owner {digest.owner.slug}`",
            "",
        ]
    if digest.cleared:
        out += ["## Cleared", ""]
        out += [f"- {_md(one_line(item))}" for item in digest.cleared]
        if digest.more_cleared:
            out.append(f"- +{digest.more_cleared} more")
        out.append("")
    if digest.no_budget:
        out += ["## No budget in the plan", ""]
        out += [f"- {_md(no_budget_text(n, p))}" for n, p in digest.no_budget]
        out.append("")
    standing = standing_line(digest)
    if standing:
        out += [standing, ""]
    return "\n".join(out)


# --- HTML --------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;
background:#f5f6f8;margin:0;padding:24px}
main{max-width:980px;margin:0 auto}
h1{font-size:22px;margin:0 0 4px}
.summary{color:#4a5366;margin:0 0 16px}
.warning{background:#fff3cd;border:1px solid #e0b400;padding:10px 12px;border-radius:6px;
margin:0 0 16px;font-weight:600}
.item{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:12px 14px;
margin:0 0 12px;display:flex;gap:16px;flex-wrap:wrap}
.text{flex:1 1 420px;min-width:0}
.item h2{font-size:16px;margin:0 0 6px}
.tag{display:inline-block;font-size:11px;font-weight:700;padding:1px 6px;border-radius:4px;
margin-right:6px;vertical-align:2px;color:#fff;background:#6b7280}
.tag.new{background:#c0392b}.tag.worsened{background:#d35400}.tag.cleared{background:#27ae60}
.meta{color:#4a5366;font-size:13px;margin:0 0 6px}
.money{font-weight:700}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:6px 0 0;
font-size:13px}
dt{color:#4a5366}dd{margin:0}
code{font-size:12px;color:#4a5366}
svg{flex:0 0 360px;background:#fafbfc;border:1px solid #eef0f3;border-radius:6px}
section{margin:18px 0}
section h2{font-size:16px}
.more,.standing{color:#4a5366}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def page(digest: Digest) -> str:
    """The digest as one self-contained HTML page."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title(digest))}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{_e(title(digest))}</h1>",
    ]
    warning = unsuppressed_line(digest)
    if warning:
        parts.append(f'<p class="warning" role="alert">{_e(warning)}</p>')
    parts.append(f'<p class="summary">{_e(summary(digest))}</p>')
    if digest.is_quiet:
        parts.append("<p>Nothing new today: no alert started, worsened or cleared.</p>")
    for number, item in enumerate(digest.items, start=1):
        parts.append(_html_item(number, item, digest.currency))
    if digest.more:
        parts.append(
            f'<p class="more">+{digest.more} more '
            f"({_e(money(digest.money_beyond_top, digest.currency))} at risk): "
            f"<code>argo alerts list --date {digest.day} --owner {_e(digest.owner.slug)}</code></p>"
        )
    if digest.cleared:
        rows = "".join(
            f'<li><span class="tag cleared">CLEARED</span>{_e(one_line(i))}</li>'
            for i in digest.cleared
        )
        more = f"<li>+{digest.more_cleared} more</li>" if digest.more_cleared else ""
        parts.append(f'<section class="cleared"><h2>Cleared</h2><ul>{rows}{more}</ul></section>')
    if digest.no_budget:
        rows = "".join(f"<li>{_e(no_budget_text(n, p))}</li>" for n, p in digest.no_budget)
        parts.append(
            f'<section class="no-budget"><h2>No budget in the plan</h2><ul>{rows}</ul></section>'
        )
    standing = standing_line(digest)
    if standing:
        parts.append(f'<p class="standing">{_e(standing)}</p>')
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _html_item(number: int, item: Item, currency: str) -> str:
    facts = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in item.facts)
    lines = [
        f'<article class="item" id="alert-{number}"><div class="text">',
        f'<h2><span class="tag {_e(item.event)}">{_e(label(item))}</span>'
        f"{number}. {_e(headline(item))}</h2>",
        f'<p class="meta">{_e(where_line(item) + " · " if where_line(item) else "")}'
        '<span class="money">'
        f"{_e(money(item.money, currency))}</span> at risk · {_e(item.get('alert_kind') or '')}"
        f" · {_e(episode(item))}</p>",
    ]
    if item.get("reason"):
        lines.append(f"<p>{_e(item.get('reason'))}</p>")
    if item.get("evidence"):
        lines.append(f'<p class="meta">{_e(item.get("evidence"))}</p>')
    if facts:
        lines.append(f"<dl>{facts}</dl>")
    lines.append(f"<p><code>alert_id {_e(item.alert_id)}</code></p></div>")
    if item.chart is not None:
        lines.append(svg(item.chart))
    lines.append("</article>")
    return "\n".join(lines)


_W, _H, _PAD_L, _PAD_R, _PAD_T, _PAD_B = 360, 150, 44, 10, 22, 22


def _scale(low: float, high: float, out_low: float, out_high: float) -> Callable[[float], float]:
    span = (high - low) or 1.0

    def to(value: float) -> float:
        return out_low + (value - low) / span * (out_high - out_low)

    return to


def _short(value: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}{suffix}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:.0f}"


def _path(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def svg(chart: Chart) -> str:
    """A small inline SVG chart (no external reference of any kind)."""
    points = chart.points
    days = [p.day for p in points]
    first = days[0]
    last = chart.period_end if chart.kind == "pacing" and chart.period_end else days[-1]
    values = [v for p in points for v in (p.value, p.low, p.high, p.expected) if v is not None]
    if chart.amount is not None:
        values.append(chart.amount)
    top = max(values, default=1.0)
    bottom = 0.0 if chart.kind == "pacing" else min(values, default=0.0)
    if top == bottom:
        top = bottom + 1.0
    margin = (top - bottom) * 0.08
    x = _scale(0, max((last - first).days, 1), _PAD_L, _W - _PAD_R)
    y = _scale(
        bottom - (0 if chart.kind == "pacing" else margin), top + margin, _H - _PAD_B, _PAD_T
    )

    def at(day_index: int, value: float) -> tuple[float, float]:
        return x(day_index), y(value)

    index = [(p.day - first).days for p in points]
    out = [
        f'<svg class="chart {chart.kind}" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" '
        f'role="img" aria-label="{_e(chart.title)}">',
        f'<text x="{_PAD_L}" y="14" font-size="11" fill="#4a5366">{_e(chart.title)}</text>',
        f'<line x1="{_PAD_L}" y1="{_H - _PAD_B}" x2="{_W - _PAD_R}" y2="{_H - _PAD_B}" '
        'stroke="#c9ced6"/>',
        f'<text x="{_PAD_L - 4}" y="{y(top) + 4:.1f}" font-size="10" text-anchor="end" '
        f'fill="#6b7280">{_e(_short(top))}</text>',
        f'<text x="{_PAD_L - 4}" y="{_H - _PAD_B:.1f}" font-size="10" text-anchor="end" '
        f'fill="#6b7280">{_e(_short(bottom))}</text>',
        f'<text x="{_PAD_L}" y="{_H - 6}" font-size="10" fill="#6b7280">{first:%m-%d}</text>',
        f'<text x="{_W - _PAD_R}" y="{_H - 6}" font-size="10" text-anchor="end" '
        f'fill="#6b7280">{last:%m-%d}</text>',
    ]
    if chart.kind == "pacing":
        if chart.amount is not None:
            out.append(
                f'<line class="budget" x1="{_PAD_L}" y1="{y(chart.amount):.1f}" '
                f'x2="{_W - _PAD_R}" y2="{y(chart.amount):.1f}" stroke="#c0392b" '
                'stroke-dasharray="5 3"/>'
            )
            out.append(
                f'<text x="{_W - _PAD_R}" y="{y(chart.amount) - 3:.1f}" font-size="10" '
                'text-anchor="end" fill="#c0392b">budget</text>'
            )
        expected = [
            at(i, p.expected) for i, p in zip(index, points, strict=True) if p.expected is not None
        ]
        if expected:
            out.append(
                f'<polyline class="expected" points="{_path(expected)}" fill="none" '
                'stroke="#7f8c8d" stroke-width="1.5" stroke-dasharray="4 3"/>'
            )
        spend = [at(i, p.value) for i, p in zip(index, points, strict=True) if p.value is not None]
        if spend:
            out.append(
                f'<polyline class="actual" points="{_path(spend)}" fill="none" stroke="#2c6fbb" '
                'stroke-width="2"/>'
            )
    else:
        band = [
            (i, p)
            for i, p in zip(index, points, strict=True)
            if p.low is not None and p.high is not None
        ]
        if band:
            upper = [at(i, p.high) for i, p in band]  # type: ignore[arg-type]
            lower = [at(i, p.low) for i, p in reversed(band)]  # type: ignore[arg-type]
            out.append(
                f'<polygon class="band" points="{_path(upper + lower)}" fill="#2c6fbb" '
                'fill-opacity="0.15" stroke="none"/>'
            )
        expected = [
            at(i, p.expected) for i, p in zip(index, points, strict=True) if p.expected is not None
        ]
        if expected:
            out.append(
                f'<polyline class="expected" points="{_path(expected)}" fill="none" '
                'stroke="#7f8c8d" stroke-width="1" stroke-dasharray="4 3"/>'
            )
        series = [
            (at(i, p.value), p) for i, p in zip(index, points, strict=True) if p.value is not None
        ]
        if series:
            out.append(
                f'<polyline class="actual" points="{_path([xy for xy, _ in series])}" '
                'fill="none" stroke="#2c6fbb" stroke-width="1.5"/>'
            )
            (lx, ly), last_point = series[-1]
            outside = (
                last_point.low is not None
                and last_point.high is not None
                and last_point.value is not None
                and not last_point.low <= last_point.value <= last_point.high
            )
            out.append(
                f'<circle class="today" cx="{lx:.1f}" cy="{ly:.1f}" r="4" '
                f'fill="{"#c0392b" if outside else "#2c6fbb"}"/>'
            )
    out.append("</svg>")
    return "\n".join(out)


# --- Slack -------------------------------------------------------------------------------


def mrkdwn(text: Any) -> str:
    """``text`` escaped for Slack's mrkdwn: ``&``, ``<`` and ``>`` as entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, never ending inside an escape entity."""
    if len(text) <= limit:
        return text
    cut = re.sub(r"&[a-z]{0,3}$", "", text[: limit - 1])
    return cut + "…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SLACK_SECTION_MAX)}}


def _context(text: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": _cut(text, SLACK_SECTION_MAX)}],
    }


def slack_payload(digest: Digest) -> dict[str, Any]:
    """The digest as one Slack message: ``text`` (the notification's fallback) and ``blocks``."""
    head: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": _cut(title(digest), SLACK_HEADER_MAX),
                "emoji": True,
            },
        }
    ]
    warning = unsuppressed_line(digest)
    if warning:
        head.append(_section(f":warning: *{mrkdwn(warning)}*"))
    head.append(_context(mrkdwn(summary(digest))))
    head.append({"type": "divider"})
    tail: list[dict[str, Any]] = []
    if digest.is_quiet:
        tail.append(_section("Nothing new today: no alert started, worsened or cleared."))
    if digest.cleared:
        lines = [f"• {mrkdwn(one_line(i))}" for i in digest.cleared]
        if digest.more_cleared:
            lines.append(f"• +{digest.more_cleared} more")
        tail.append(_section("*Cleared*\n" + "\n".join(lines)))
    if digest.no_budget:
        lines = [f"• {mrkdwn(no_budget_text(n, p))}" for n, p in digest.no_budget]
        tail.append(_section("*No budget in the plan*\n" + "\n".join(lines)))
    standing = standing_line(digest)
    if standing:
        tail.append(_context(mrkdwn(standing)))
    # Each item is one section; "+k more" is one context block. Keep within 50 blocks.
    room = SLACK_MAX_BLOCKS - len(head) - len(tail) - 1
    shown = digest.items[:room]
    more = digest.more + len(digest.items) - len(shown)
    body = [_section(_slack_item(n, item, digest.currency)) for n, item in enumerate(shown, 1)]
    if more:
        beyond = digest.money_beyond_top + sum(i.money for i in digest.items[len(shown) :])
        body.append(
            _context(
                f"+{more} more ({mrkdwn(money(beyond, digest.currency))} at risk): "
                f"`argo alerts list --date {digest.day} --owner {mrkdwn(digest.owner.slug)}`"
            )
        )
    blocks = head + body + tail
    return {
        "text": _cut(f"{title(digest)}: {summary(digest)}", SLACK_SECTION_MAX),
        "blocks": blocks,
    }


def _slack_item(number: int, item: Item, currency: str) -> str:
    lines = [
        f"*{number}. {mrkdwn(label(item))} · {mrkdwn(money(item.money, currency))} at risk*",
        f"*{mrkdwn(headline(item))}*",
        " · ".join(mrkdwn(t) for t in (where_line(item), episode(item)) if t),
    ]
    if item.get("reason"):
        lines.append(mrkdwn(item.get("reason")))
    if item.get("evidence"):
        lines.append(f"_{mrkdwn(item.get('evidence'))}_")
    if item.facts:
        lines.append("; ".join(f"{mrkdwn(k)}: {mrkdwn(v)}" for k, v in item.facts))
    lines.append(f"`{mrkdwn(item.alert_id)}`")
    return "\n".join(lines)


def render(digest: Digest, fmt: str) -> str:
    """The digest in ``fmt`` (``md``, ``html`` or ``slack``) as text."""
    if fmt == "md":
        return markdown(digest)
    if fmt == "html":
        return page(digest)
    return json.dumps(slack_payload(digest), ensure_ascii=False, indent=2) + "\n"
