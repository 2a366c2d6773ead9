"""The app shell: the `pianogenie` command over the engine, the bridge and the training packages."""
