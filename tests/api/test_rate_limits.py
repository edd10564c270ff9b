"""API_RATE_LIMIT requests per person, counted in the shared cache; past it, 429 with
Retry-After."""

from accounts import tokens


def test_past_the_limit_the_api_answers_429_with_retry_after(settings, api, alice, bob):
    settings.API_RATE_LIMIT = "3/min"
    client = api(alice)
    answers = [client.get("/api/v1/lessons/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get("/api/v1/lessons/")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert api(bob).get("/api/v1/lessons/").status_code == 200


def test_the_limit_is_per_person_not_per_token(settings, api, alice):
    settings.API_RATE_LIMIT = "2/min"
    _, second = tokens.create_token(user=alice, name="second")
    first = api(alice)
    assert [first.get("/api/v1/lessons/").status_code for _ in range(2)] == [200, 200]
    first.defaults["HTTP_AUTHORIZATION"] = f"Bearer {second}"
    assert first.get("/api/v1/lessons/").status_code == 429
