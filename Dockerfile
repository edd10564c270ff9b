# The production image: gunicorn, the Celery worker and beat all run from it (docker-compose.yml).
# Dependencies come first, from the lock file, so a change to the code rebuilds only the layers
# below them. Regenerate the lock after changing pyproject's dependencies: `make lock`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONPATH=/app
WORKDIR /app

COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --only-binary=:all: -r requirements.lock

# The code, app by app: no tests, benchmarks or scripts (.dockerignore also leaves out the
# benchmark commands that drop indexes and turn off foreign-key checks).
COPY manage.py ./
COPY learnorg learnorg
COPY accounts accounts
COPY feedback feedback
COPY retrospectives retrospectives
COPY actions actions
COPY dashboard dashboard
COPY privacy privacy
COPY demo demo
COPY webhooks webhooks
COPY templates templates
COPY static static
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --create-home learnorg
USER learnorg
EXPOSE 8000
# Migrations are not run here: the one-off `migrate` service runs them before any web starts.
# uvicorn (ASGI) serves the pages and the live screens' event streams.
CMD ["uvicorn", "learnorg.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "4", "--lifespan", "off", "--no-proxy-headers"]
