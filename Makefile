# Thin aliases for ./foundry, the entry point (which needs nothing but bash and Python).
INVENTORY ?= inventories/lab
.PHONY: help prepare lab lab-down test test-fast validate check deploy
help:      ; @./foundry help
prepare:   ; ./foundry prepare
lab:       ; ./foundry lab
lab-down:  ; ./foundry lab-down
test:      ; ./foundry test $(if $(SCENARIO),--scenario $(SCENARIO))
test-fast: ; ./foundry test --fast
validate:  ; ./foundry validate $(INVENTORY)
check:     ; ./foundry check $(INVENTORY)
deploy:    ; ./foundry deploy $(INVENTORY)
