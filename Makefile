# landreg: `make run` serves the demo on the embedded default; `make test` runs every test.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: run test build deps bench fixtures clean web apidoc

run: deps build
	./bin/landreg serve

test:
	scripts/test.sh

web:
	scripts/web.sh

# Redoc for /api.html (and redocly for the lint test), from tools/openapi's lock file.
apidoc:
	scripts/openapi-tools.sh

build: web apidoc
	go build -ldflags "$(LDFLAGS)" -o bin/landreg ./cmd/landreg

deps:
	scripts/deps.sh

bench: deps build
	scripts/bench.sh

fixtures:
	go run ./fixtures/gen

clean:
	rm -rf bin
