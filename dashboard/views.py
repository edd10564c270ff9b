from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    """The landing page: what this person can do, by role."""
    return render(request, "dashboard/home.html")
