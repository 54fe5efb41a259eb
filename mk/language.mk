# mk/language.mk: packetdrill's language, construct by construct
# (harness/tests/language/: our own scripts, one behaviour each, and the
# outcome each must have per target and verdict mode in expected.tsv).
#
#   make check-language         (part of make check) on mem, default and --strict,
#                               after the dialect check: every script plain packetdrill
#   make check-language-linux   (part of make check when root) on the host kernel,
#                               and the offload-* scripts again with --offload

.PHONY: check-language check-language-linux
check-language: $(SYNACK)
	@$(PYTHON) harness/tests/language_check.py $(O)/synack mem $(JOBS)

check-language-linux: $(SYNACK)
	@if [ "$$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then \
	    echo "SKIP  language on linux: needs root and /dev/net/tun (counted as skipped)"; \
	else \
	    $(PYTHON) harness/tests/language_check.py $(O)/synack linux 8 && \
	    $(PYTHON) harness/tests/language_check.py $(O)/synack linux 8 --offload; \
	fi

CHECK_MORE += check-language check-language-linux
