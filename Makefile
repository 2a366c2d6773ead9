# Two entry points: `make serve` (install and play) and `make test` (install everything and run the suite); `make
# plugin` builds the DAW plugin.
# Both are idempotent: each step is skipped when it is already done. `make dist` builds the wheel and sdist.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# `--synth piano`: FluidSynth and a small General MIDI SoundFont (fluid-soundfont-gm, 148 MB, is the better piano
# where installed; docs/benchmarks.md).
APT_PIANO := libfluidsynth3 timgm6mb-soundfont
# The DAW plugin (maxpatch/plugin/): Debian's DPF, which carries its own LV2, VST3 and CLAP headers, and a compiler.
APT_PLUGIN := dpf-source g++ make pkg-config lv2-dev
# System packages the tests drive for real: liblo's OSC tools, Pure Data, Chromium, a JACK server, PortAudio; ip and
# unshare for the Zeroconf test's network namespace; tmux, a real terminal for play's live view; the plugin's build
# and lilv, which hosts its LV2 build; MDA's LV2 instruments (Piano, EPiano, DX10: 3 MB, libc only), which `--synth lv2:` plays in the tests.
APT_TEST := liblo-tools puredata-core chromium jackd2 libportaudio2 iproute2 util-linux tmux $(APT_PIANO) \
	$(APT_PLUGIN) liblilv-dev lilv-utils mda-lv2
APT_SERVE := libportaudio2 $(APT_PIANO)
# The web page's TensorFlow.js and Tone.js come from npm (web/package-lock.json).
APT_WEB := nodejs npm
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: serve test dist plugin system-test system-serve system-web system-plugin web-deps

define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

# setuptools warns at every editable install that folders named like the package may shadow it; ours are mapped
# by package_dir to pianogenie.<name>, and a test checks that nothing is shadowed (tests/package/test_package.py).
EDITABLE := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install -q -e

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

# What README's Play section uses: OSC, MIDI, the FM synth, the piano, Zeroconf for OSCQuery clients, and the
# certificate maker of `web --https` for phones, the OSCQuery websocket, and play's live view
# (tests/package/test_package.py checks the two agree).
SERVE_EXTRAS := fast,osc,midi,audio,piano,discovery,web,stream,tui

$(VENV)/.serve-installed: setup.cfg pyproject.toml | $(BIN)/python
	$(EDITABLE) '.[$(SERVE_EXTRAS)]'
	touch $@

$(VENV)/.test-installed: setup.cfg pyproject.toml | $(BIN)/python
	$(EDITABLE) '.[all,test]'
	touch $@ $(VENV)/.serve-installed

system-serve:
	$(call apt_install,$(APT_SERVE))

system-test:
	$(call apt_install,$(APT_TEST))

system-plugin:
	$(call apt_install,$(APT_PLUGIN))

# LV2, VST3 and CLAP builds of the "Piano Genie" note effect into maxpatch/plugin/bin/; `pianogenie plugin install`
# copies them into ~/.lv2, ~/.vst3 and ~/.clap.
plugin: system-plugin
	$(MAKE) -C maxpatch/plugin all

system-web:
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_WEB); }

# `pianogenie web` in the checkout serves web/ with these files, and the wheel is built from them.
web-deps: system-web
	@if [ -f web/package-lock.json ] && { [ ! -f web/node_modules/.ci-stamp ] || [ web/package-lock.json -nt web/node_modules/.ci-stamp ]; }; then \
	  cd web && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.ci-stamp; \
	fi

serve: system-serve web-deps $(VENV)/.serve-installed
	$(BIN)/pianogenie serve

test: system-test $(VENV)/.test-installed web-deps
	$(BIN)/python -m pytest -q -rs

# The sdist through setuptools' PEP 517 hook, then the wheel from that sdist (as `python -m build` does).
dist: web-deps | $(BIN)/python
	rm -rf dist && mkdir -p dist
	$(BIN)/python -c "from setuptools import build_meta; build_meta.build_sdist('dist')"
	cd dist && ../$(BIN)/pip wheel -q --no-deps --no-build-isolation -w . ./*.tar.gz
	@ls dist
