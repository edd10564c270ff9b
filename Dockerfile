FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY learnorg learnorg
COPY accounts accounts
COPY feedback feedback
COPY retrospectives retrospectives
COPY actions actions
COPY dashboard dashboard
COPY privacy privacy
COPY demo demo
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --create-home learnorg
USER learnorg
EXPOSE 8000
CMD ["uvicorn", "learnorg.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "4", "--lifespan", "off", "--no-proxy-headers"]
