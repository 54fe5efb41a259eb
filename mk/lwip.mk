# mk/lwip.mk: lwIP as a stack under test (the lwip target).
#
#   $(O)/liblwip-packetdrill.so   Debian's liblwip behind packetdrill's SO
#                                 interface (harness/target/lwip/)
#   make check-lwip               the whole suite on lwIP (virtual clock), with
#                                 vectors/expect/lwip.tsv: no unexpected result
#   make conformance-lwip         the same, with results and a report in REPORT_DIR

LWIP_CFLAGS := $(shell pkg-config --cflags lwip 2>/dev/null || echo -I/usr/include/lwip)
LWIP_LIBS := $(shell pkg-config --libs lwip 2>/dev/null || echo -llwip)
LWIP_SO := $(O)/liblwip-packetdrill.so
LWIP_SO_OBJ := $(O)/pic/harness/target/lwip/lwip_packetdrill.o $(O)/pic/stack/packetdrill/pdso_fds.o \
               $(O)/pic/stack/packetdrill/pdso_enosys.o

# lwIP's headers are not -Wextra clean with our flags: only ours are judged.
$(O)/pic/harness/target/lwip/lwip_packetdrill.o: ALL_CPPFLAGS += $(LWIP_CFLAGS)

$(LWIP_SO): $(LWIP_SO_OBJ)
	$(CC) $(ALL_LDFLAGS) -shared -Wl,-z,defs -o $@ $^ $(LWIP_LIBS) -lpthread

all: $(LWIP_SO)

-include $(LWIP_SO_OBJ:.o=.d)

# ---- the suite on lwIP --------------------------------------------------------------
# Virtual time, one process per vector: the whole suite in seconds.
.PHONY: check-lwip conformance-lwip
check-lwip: $(SYNACK) $(SO_HOST) $(LWIP_SO)
	@$(O)/synack run --strict --target lwip -j$(JOBS) -q vectors/

conformance-lwip: $(SYNACK) $(SO_HOST) $(LWIP_SO)
	@mkdir -p $(REPORT_DIR)
	$(O)/synack run --strict --target lwip -j$(JOBS) --expect vectors/expect/lwip.tsv \
	    --json $(REPORT_DIR)/results-lwip.json --junit $(REPORT_DIR)/junit-lwip.xml \
	    --pcap-dir $(REPORT_DIR)/pcap-lwip vectors/; rc=$$?; \
	    $(MAKE) --no-print-directory net-report; exit $$rc

CHECK_MORE += check-lwip

# The diff fuzz target's replay (make fuzz-regress) loads a copy of the object
# built as the replay binary is (clang, ASan+UBSan: one sanitizer runtime in
# the process, whether SAN=1 or not). mk/fuzz.mk, read before this file, sets
# FUZZ_O, FUZZ_CLANG and FUZZ_SAN.
FUZZ_LWIP_SO := $(FUZZ_O)/regress/liblwip-packetdrill.so
$(FUZZ_LWIP_SO): $(LWIP_SO_OBJ:$(O)/pic/%.o=%.c)
	@mkdir -p $(@D)
	$(FUZZ_CLANG) -O1 -g $(FUZZ_SAN) $(FUZZ_WARN) -Istack/include -Istack $(LWIP_CFLAGS) \
	    -fPIC -shared -o $@ $^ $(LWIP_LIBS) -lpthread
fuzz-regress: $(FUZZ_LWIP_SO)
