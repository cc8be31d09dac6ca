# Two commands matter: `make run` (install, then open the demo exercise) and `make test` (install, then test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := build/demo.ctpn
DEBIAN_PACKAGES := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0 \
	libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 \
	libxcb-image0 libnss3 libasound2 poppler-utils
DEBIAN_PACKAGES += libpulse0  # Qt Multimedia (the due chime) loads it; without it the chime stays silent
DEBIAN_PACKAGES += desktop-file-utils shared-mime-info

.PHONY: run test deps install bench lint clean
.PHONY: standalone packaging-test kit desktop-install

deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(BIN)/ctpn-desktop: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

install: deps $(BIN)/ctpn-desktop

run: install
	@mkdir -p build
	$(BIN)/ctpn-desktop demo --force $(DEMO)
	$(BIN)/ctpn-desktop $(DEMO)

test: install
	$(BIN)/ruff check ctpn_desktop tests bench
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

$(BIN)/pyinstaller: $(BIN)/ctpn-desktop
	$(BIN)/python -m pip install --quiet -e ".[test,build]"
	@touch $@

standalone: install $(BIN)/pyinstaller
	$(BIN)/python packaging/build.py

packaging-test: install $(BIN)/pyinstaller
	CTPN_TEST_FROZEN=1 CTPN_TEST_KIT=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m "frozen or kit" \
		tests/packaging

kit: install
	$(BIN)/python packaging/offline_kit.py

desktop-install:
	sh packaging/linux/install.sh

bench: install
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build bench/.work .pytest_cache .ruff_cache .mypy_cache
