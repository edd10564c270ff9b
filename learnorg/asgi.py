import os

from django.core.asgi import get_asgi_application

from accounts.asgi import RequestsAtOnce

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnorg.settings")

application = RequestsAtOnce(
    get_asgi_application(), limit=int(os.environ.get("WEB_REQUESTS_PER_PROCESS", "8"))
)
