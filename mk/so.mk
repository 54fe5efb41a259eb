# mk/so.mk: stacks under test that are objects of packetdrill's SO
# interface (the so: and lwip targets, harness/target/so.c).
#
#   $(O)/synack-so-host        the process each so: vector runs in: loads the
#                              object, makes the calls the harness asks for
#   make check-so              the whole suite through so:libsynack-packetdrill.so
#                              (virtual clock): every vector's verdict must be
#                              the one it has on mem

SO_HOST_OBJ := $(O)/harness/target/so_host.o
$(SO_HOST_OBJ): ALL_CPPFLAGS += -Iharness -Istack

$(SO_HOST): $(SO_HOST_OBJ) $(O)/harness/target/pktq.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -ldl -lpthread

all: $(SO_HOST)

-include $(SO_HOST_OBJ:.o=.d)

# ---- a stack under test that misbehaves, for test_so_target -----------------
MISBEHAVE := $(O)/harness/tests/libmisbehave-packetdrill.so
$(MISBEHAVE): harness/tests/objects/misbehave.c stack/packetdrill/packetdrill_so.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Istack $(WARN) $(SANFLAGS) $(CFLAGS) -fPIC -fvisibility=hidden \
	    -shared -o $@ $< -ldl

# The test loads both objects through the host.
$(O)/harness/tests/test_so_target: $(SO_HOST) $(PDSO) $(MISBEHAVE)

# ---- the suite through synack's own object ------------------------------------
# In IPv4 alone (--ip_version ipv4): the so: target runs no IPv6.
SO_CHECK_DIR := $(O)/so-check
.PHONY: check-so
check-so: $(SYNACK) $(SO_HOST) $(PDSO)
	@rm -rf $(SO_CHECK_DIR) && mkdir -p $(SO_CHECK_DIR)
	@$(O)/synack run --target mem --ip_version ipv4 --strict -j$(JOBS) -q --json $(SO_CHECK_DIR)/results-mem.json \
	    vectors/ > /dev/null; \
	$(O)/synack run --target so:$(PDSO) --so-flags clock=virtual --ip_version ipv4 --strict -j$(JOBS) -q \
	    --json $(SO_CHECK_DIR)/results-so.json vectors/ | tail -n 1; \
	$(PYTHON) mk/same-verdicts.py $(SO_CHECK_DIR)/results-mem.json $(SO_CHECK_DIR)/results-so.json

CHECK_MORE += check-so

# The same run, kept in REPORT_DIR beside the other targets (make conformance-all).
.PHONY: conformance-so
conformance-so: $(SYNACK) $(SO_HOST) $(PDSO)
	@mkdir -p $(REPORT_DIR)
	$(O)/synack run --strict --target so:$(PDSO) --so-flags clock=virtual -j$(JOBS) \
	    --json $(REPORT_DIR)/results-so.json --junit $(REPORT_DIR)/junit-so.xml \
	    --pcap-dir $(REPORT_DIR)/pcap-so vectors/; rc=$$?; \
	    $(MAKE) --no-print-directory net-report; exit $$rc
