from oauth2_provider.oauth2_validators import OAuth2Validator


class CitizenValidator(OAuth2Validator):
    """Adds the citizen ID (kept in the provider's user.last_name) and the name to the identity."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "citizen_id": "profile"}

    def get_additional_claims(self, request):
        return {"citizen_id": request.user.last_name, "name": request.user.first_name}
