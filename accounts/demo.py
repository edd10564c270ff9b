"""Demo people for `manage.py seed_demo`. Never run outside that command."""

from django.conf import settings
from django.contrib.auth.models import Group

from .models import Office, Role, User

OFFICES = [("Boston", "Boston, MA"), ("Hartford", "Hartford, CT"), ("Providence", "Providence, RI")]

# username: (display name, seniority, office, roles)
PEOPLE = {
    "alice": ("Alice Moreno", User.Seniority.MANAGER, "Boston", [Role.ACCOUNT_MANAGER]),
    "bob": ("Bob Chen", User.Seniority.MANAGER, "Hartford", [Role.ACCOUNT_MANAGER]),
    "fran": ("Fran Okafor", User.Seniority.SENIOR, "Boston", [Role.FACILITATOR]),
    "pat": ("Pat Lindqvist", User.Seniority.PARTNER, "Boston", [Role.PARTNER]),
    "sam": ("Sam Rivera", User.Seniority.STAFF, "Providence", []),
    "quinn": ("Quinn Adler", User.Seniority.PARTNER, "Hartford", [Role.PARTNER]),
    "riley": ("Riley Brooks", User.Seniority.SENIOR, "Providence", []),
    "jordan": ("Jordan Patel", User.Seniority.STAFF, "Boston", []),
}


def seed() -> dict[str, User]:
    """Create (or reset) the demo offices and people; returns users by username."""
    offices = {
        name: Office.objects.update_or_create(name=name, defaults={"city": city})[0]
        for name, city in OFFICES
    }
    users: dict[str, User] = {}
    for username, (display_name, seniority, office, roles) in PEOPLE.items():
        first, last = display_name.split(" ", 1)
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "display_name": display_name,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
                "seniority": seniority,
                "office": offices[office],
                "is_active": True,
            },
        )
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
        users[username] = user
    admin, _ = User.objects.update_or_create(
        username="admin",
        defaults={
            "display_name": "Administrator",
            "email": "admin@example.com",
            "is_staff": True,
            "is_superuser": True,
            "is_active": True,
        },
    )
    admin.set_password(settings.DEMO_PASSWORD)
    admin.save(update_fields=["password"])
    users["admin"] = admin
    return users
