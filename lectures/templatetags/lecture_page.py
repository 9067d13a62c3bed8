"""The lecture page's long lists, rendered as tags: 2 000 transcript rows through {% include %} cost
several times the page's budget, one format_html each costs almost nothing. Everything typed by a
user is escaped by format_html; a search highlight arrives already escaped (SafeString)."""

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from lectures.selectors import ChatRow, TranscriptLine

register = template.Library()

# constant markup, no user text in it
MATCH = mark_safe(' class="match"')
PRIVATE = mark_safe(' class="private"')
PRIVATE_BADGE = mark_safe(' <span class="badge private-badge">to hosts</span>')


@register.simple_tag
def transcript_line(line: TranscriptLine) -> SafeString:
    s = line.segment
    text = line.highlighted if line.highlighted is not None else s.text
    return format_html(
        '<li id="{anchor}"{match}><a class="at" href="#{anchor}">{at}</a> '
        '<span class="speaker">{speaker}</span> <span class="text">{text}</span></li>',
        anchor=s.anchor,
        match=MATCH if line.highlighted is not None else "",
        at=s.at,
        speaker=s.speaker,
        text=text,
    )


@register.simple_tag(takes_context=True)
def chat_row(context: template.Context, message: ChatRow, lecture_id: int = 0) -> SafeString:
    """One chat message; with `lecture_id` (the room's host viewing), a form that removes it."""
    badges = format_html(' <span class="badge">{}</span>', message.role) if message.role != "guest" else ""
    private = PRIVATE_BADGE if message.private else ""
    remove = ""
    if lecture_id:
        remove = format_html(
            ' <form method="post" action="{action}" class="chat-remove">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
            '<button type="submit" class="link" aria-label="Remove the message from {sender}">Remove</button>'
            "</form>",
            action=reverse("lectures:remove_chat", kwargs={"lecture_id": lecture_id, "message_id": message.id}),
            csrf=get_token(context["request"]),
            sender=message.sender,
        )
    return format_html(
        '<li{css}><span class="at">{at}</span> <span class="sender">{sender}</span>{badges}{private} '
        '<span class="text">{text}</span>{remove}</li>',
        css=PRIVATE if message.private else "",
        at=message.at,
        sender=message.sender,
        badges=badges,
        private=private,
        text=message.text,
        remove=remove,
    )
