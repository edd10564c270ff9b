"""Files attached to objects: an action's evidence (the new checklist, the revised engagement
letter), an exit interview's documents.

A model takes attachments by naming its kind (`ATTACHMENT_KIND = "action"`) and saying who may
add or remove them (`attachments_editable_by(user)`); who may download one is who may see the
object, through the model's own `visible_to`. Files are stored through Django's storage API
(`STORAGES["default"]`: the local file system under LEARNORG_VAR_DIR by default, any
S3-compatible store in production) under random names, and are never served from a public URL:
only `download` hands them out, after that check, and every download is audited like a read.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import FileResponse, Http404, HttpRequest

from . import audit
from .models import Attachment, User

# Extension → (content type, how the file must start). Office files are zip archives; text and
# CSV must be UTF-8 without NUL bytes.
ALLOWED = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    "txt": ("text/plain; charset=utf-8", None),
    # Served as plain text (it is downloaded as a file anyway, named .csv).
    "csv": ("text/plain; charset=utf-8", None),
}
ALLOWED_LIST = ", ".join(sorted(ALLOWED))


def kinds() -> dict[str, type[models.Model]]:
    """The models that take attachments, by kind."""
    return {
        model.ATTACHMENT_KIND: model
        for model in apps.get_models()
        if getattr(model, "ATTACHMENT_KIND", None)
    }


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def _human(size: int) -> str:
    return f"{size / 1_048_576:.0f} MB" if size >= 1_048_576 else f"{size // 1024} KB"


def check_upload(upload) -> str:
    """The upload's content type, or a ValidationError saying what is wrong with it."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise ValidationError(f"Attach a file of one of these kinds: {ALLOWED_LIST}.")
    if upload.size == 0:
        raise ValidationError("The file is empty.")
    if upload.size > max_bytes():
        raise ValidationError(
            f"The file is {_human(upload.size)}; attach files up to {_human(max_bytes())}."
        )
    content_type, starts = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if starts is not None and not head.startswith(starts):
        raise ValidationError(f"The file does not look like a .{extension} file.")
    if starts is None:
        if b"\x00" in head:
            raise ValidationError(f"The file does not look like a .{extension} file.")
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is fine.
            if error.start < len(head) - 3:
                raise ValidationError("Text files must be UTF-8.") from error
    return content_type


def of(obj: models.Model):
    """The attachments of one object, oldest first."""
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("uploaded_by")


def of_all(objects) -> models.QuerySet:
    """The attachments of several objects of one model."""
    objects = list(objects)
    if not objects:
        return Attachment.objects.none()
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(objects[0]),
        object_id__in=[obj.pk for obj in objects],
    )


@transaction.atomic
def attach(*, obj: models.Model, by: User, upload, request=None) -> Attachment:
    if not obj.attachments_editable_by(by):
        raise ValidationError("You cannot add files here.")
    content_type = check_upload(upload)
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        name=(upload.name or "file").rsplit("/", 1)[-1][:200],
        size=upload.size,
        content_type_header=content_type,
        uploaded_by=by,
    )
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    audit.record(actor=by, verb="create", obj=attachment, request=request, detail=_about(obj))
    return attachment


def _about(obj: models.Model) -> dict:
    return {"of": obj._meta.label_lower, "id": obj.pk}


def remove(*, attachment: Attachment, by: User, request=None) -> None:
    owner = attachment.owner
    if owner is None or not owner.attachments_editable_by(by):
        raise ValidationError("You cannot remove this file.")
    delete_files(Attachment.objects.filter(pk=attachment.pk))
    audit.record(actor=by, verb="delete", obj=attachment, request=request, detail=_about(owner))


def delete_files(attachments) -> int:
    """Delete these attachments and their stored files (after the transaction commits, so a
    rollback never leaves a row without its file)."""
    rows = list(attachments)
    names = [row.file.name for row in rows]
    storage = Attachment._meta.get_field("file").storage

    def drop_files():
        for name in names:
            storage.delete(name)

    Attachment.objects.filter(pk__in=[row.pk for row in rows]).delete()
    transaction.on_commit(drop_files)
    return len(rows)


def visible(attachment: Attachment, user: User) -> bool:
    model = attachment.content_type.model_class()
    if model is None or not getattr(model, "ATTACHMENT_KIND", None):
        return False
    return model._default_manager.visible_to(user).filter(pk=attachment.object_id).exists()


def download(request: HttpRequest, pk: int) -> FileResponse:
    """The file, to someone who may see what it is attached to; 404 to anyone else."""
    attachment = Attachment.objects.select_related("content_type").filter(pk=pk).first()
    if attachment is None or not visible(attachment, request.user):
        raise Http404("No such file.")
    audit.record(
        actor=request.user,
        verb="view",
        obj=attachment,
        request=request,
        detail={"of": attachment.content_type.model, "id": attachment.object_id},
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type_header,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response
