"""A small OpenID Connect provider (django-oauth-toolkit) that the single sign-on tests log in
through: its own Django project, run in a process of its own by `running.provider`."""
