# DPF's LV2 wrapper writes its own .ttl files: its generator loads the built library and asks it. Included, after
# the `all` target, by this plugin's Makefile and by the plugin host tests' instrument (tests/instrument/Makefile).
TTL_GENERATOR = $(DPF_BUILD_DIR)/lv2_ttl_generator

.PHONY: ttl
ttl: $(DPF_TARGET_DIR)/$(NAME).lv2/manifest.ttl

$(DPF_TARGET_DIR)/$(NAME).lv2/manifest.ttl: $(lv2_dsp) $(TTL_GENERATOR)
	cd $(DPF_TARGET_DIR)/$(NAME).lv2 && $(TTL_GENERATOR) ./$(NAME)_dsp.so

$(TTL_GENERATOR): $(DPF_PATH)/utils/lv2-ttl-generator/lv2_ttl_generator.c
	@mkdir -p $(DPF_BUILD_DIR)
	$(CC) $< -o $@ -ldl
