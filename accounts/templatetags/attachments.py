"""`{% attachments obj %}`: an object's files, and the form to add one for who may."""

from django import template
from django.urls import reverse

from accounts import attachments as files
from accounts.forms import AttachmentForm

register = template.Library()


def attachment_context(request, obj, *, form=None, message: str = "") -> dict:
    can_attach = obj.attachments_editable_by(request.user)
    return {
        "object": obj,
        "attachments": list(files.of(obj)),
        "can_attach": can_attach,
        "attach_url": reverse("accounts:attachment_new", args=[obj.ATTACHMENT_KIND, obj.pk]),
        "attach_form": form or AttachmentForm(),
        "attach_message": message,
        "allowed": files.ALLOWED_LIST,
        "max_size": files.max_bytes() // 1_048_576,
        "request": request,
    }


@register.inclusion_tag("includes/attachments.html", takes_context=True)
def attachments(context, obj):
    return attachment_context(context["request"], obj)
