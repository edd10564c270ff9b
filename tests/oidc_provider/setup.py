"""Migrates the provider's database and adds the people and the client application described by
the JSON on stdin: {"users": [{username, email, password, first_name, last_name, groups}],
"application": {client_id, client_secret, redirect_uris, post_logout_redirect_uris}}."""

import json
import sys

import django


def main() -> None:
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    world = json.load(sys.stdin)
    call_command("migrate", verbosity=0)
    for person in world["users"]:
        groups = person.pop("groups", [])
        user = User.objects.create_user(**person)
        user.groups.set(Group.objects.get_or_create(name=name)[0] for name in groups)
    Application.objects.create(
        name="learnorg",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
        **world["application"],
    )


if __name__ == "__main__":
    main()
