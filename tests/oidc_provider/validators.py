from oauth2_provider.oauth2_validators import OAuth2Validator

# Membership of this provider group makes the provider call the person's e-mail unverified.
UNVERIFIED = "unverified-email"


class Validator(OAuth2Validator):
    """Claims like a firm's identity provider sends: e-mail, name and the person's groups."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "profile"}

    def get_additional_claims(self, request):
        user = request.user
        groups = list(user.groups.values_list("name", flat=True))
        return {
            "email": user.email,
            "email_verified": UNVERIFIED not in groups,
            "name": user.get_full_name(),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "groups": [group for group in groups if group != UNVERIFIED],
        }
