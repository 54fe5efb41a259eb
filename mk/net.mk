# mk/net.mk: the real network. The apps (synack-get, synack-serve) on a
# TUN device, the packetdrill shared object, the interop test with the
# Linux kernel (make check runs it when root), and the suite on the tun
# and linux targets.
#
#   make apps                 $(O)/synack-get, $(O)/synack-serve, $(O)/synack-relay
#   make pdso                 $(O)/libsynack-packetdrill.so (packetdrill --so_filename)
#   make check-interop        synack against the kernel, curl, python3, ping (root)
#   make check-net-targets    a few vector folders on the tun (IPv4 and IPv6) and linux
#                             targets (root)
#   make conformance-tun      the vectors on synack over a real TUN device (root)
#   make conformance-linux    the vectors on the host kernel's TCP (root), in
#                             IPv4 and again in IPv6 (--ip_version ipv6)
#   make conformance-all      mem, so, lwip, tun and linux, one report side by side

# ---- apps -------------------------------------------------------------------
APP_COMMON_OBJ := $(O)/stack/apps/app.o
APPS := $(O)/synack-get $(O)/synack-serve $(O)/synack-relay
APP_OBJ := $(APP_COMMON_OBJ) $(APPS:$(O)/%=$(O)/stack/apps/%.o)

$(O)/synack-%: $(O)/stack/apps/synack-%.o $(APP_COMMON_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PCAP_LIBS)

.PHONY: apps
apps: $(APPS)
bench: $(APPS)   # stack/bench/lossy.sh
all: $(APPS)

# ---- packetdrill's SO-testing interface ---------------------------------------
# The stack compiled position-independent, without the links that need
# libpcap or a device (the shim brings its own link), plus the shim.
PDSO := $(O)/libsynack-packetdrill.so
PDSO_STACK_SRC := $(filter-out stack/link/pcap.c stack/link/tun.c stack/link/tun_ring.c stack/link/loop.c,$(STACK_SRC))
PDSO_OBJ := $(PDSO_STACK_SRC:%.c=$(O)/pic/%.o) $(O)/pic/stack/packetdrill/synack_packetdrill.o \
            $(O)/pic/stack/packetdrill/pdso_fds.o $(O)/pic/stack/packetdrill/pdso_enosys.o
PDSO_CHECK := $(O)/stack/packetdrill/pdso_check

$(O)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Istack $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(PDSO): $(PDSO_OBJ)
	$(CC) $(ALL_LDFLAGS) -shared -Wl,-z,defs -o $@ $^ -lpthread

$(PDSO_CHECK): $(O)/stack/packetdrill/pdso_check.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -ldl -lpthread

.PHONY: pdso check-pdso
pdso: $(PDSO)
all: $(PDSO)

check-pdso: $(PDSO) $(PDSO_CHECK)
	@sh mk/run-tests.sh "$(PDSO_CHECK) $(PDSO)"

# ---- the interop test -----------------------------------------------------------
# synflood: spoofed segments into the test's TUN device (AF_PACKET).
SYNFLOOD := $(O)/synflood
$(SYNFLOOD): stack/tests/interop/synflood.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<
all: $(SYNFLOOD)

# ---- make stress: figures under attack and churn (not part of check) ----------
LOADGEN := $(O)/loadgen
$(LOADGEN): stack/tests/stress/loadgen.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

.PHONY: stress
STRESS_CHURN_SECONDS ?= 300
STRESS_CHURN_RATE ?= 10000
stress: $(APPS) $(SYNFLOOD) $(LOADGEN) $(BENCH)
	@sh stack/tests/stress/run.sh $(O) $(STRESS_CHURN_SECONDS) $(STRESS_CHURN_RATE)

.PHONY: check-interop
check-interop: $(APPS) $(SYNACK) $(SYNFLOOD)
	@sh stack/tests/interop/run.sh $(O); rc=$$?; \
	    if [ $$rc -eq 77 ]; then echo "SKIP  interop (counted as skipped, not passed)"; \
	    elif [ $$rc -ne 0 ]; then exit $$rc; fi

# A quick look at the real-time targets in make check: a few folders of the
# suite on tun and on linux (the whole suite takes minutes: conformance-*).
NET_SMOKE := vectors/handshake vectors/closed vectors/icmp
.PHONY: check-net-targets
check-net-targets: $(SYNACK)
	@if [ "$$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then \
	    echo "SKIP  tun and linux targets: need root and /dev/net/tun (counted as skipped)"; \
	else \
	    $(O)/synack run --strict --target tun -j8 -q $(NET_SMOKE) && \
	    $(O)/synack run --strict --target tun --ip_version ipv6 -j8 -q $(NET_SMOKE) && \
	    $(O)/synack run --strict --target linux -j8 -q $(NET_SMOKE); \
	fi

# The exec target with synack's apps as black boxes (vectors/exec/) and the
# target's own errors (harness/tests/exec_check.sh; root, else skipped).
.PHONY: check-exec
check-exec: $(SYNACK) $(APPS)
	@sh mk/run-tests.sh "harness/tests/exec_check.sh $(O)"

# In make check (-j2) it runs after the other real-time suites, not beside
# them: each judges timing, which a busy machine shifts.
ifneq ($(filter check-interop,$(MAKECMDGOALS)),)
check-exec: | check-interop check-net-targets
endif

CHECK_MORE += check-pdso check-interop check-net-targets check-exec

# ---- the suite on the real-time targets -------------------------------------------
# Real time: a vector that waits out TIME-WAIT takes minutes, so many run
# at once (each in its own network namespace).
NET_JOBS ?= 16
NET_REPORT_INPUTS = $(wildcard $(addprefix $(REPORT_DIR)/results-,mem.json so.json lwip.json \
                      mem-ipv4-mapped-ipv6.json mem-ipv6.json tun.json tun-ipv6.json linux.json linux-ipv6.json))

.PHONY: conformance-tun conformance-linux conformance-all net-report
conformance-tun: $(SYNACK)
	@mkdir -p $(REPORT_DIR)
	$(O)/synack run --strict --target tun -j$(NET_JOBS) --expect vectors/expect/tun.tsv \
	    --json $(REPORT_DIR)/results-tun.json --junit $(REPORT_DIR)/junit-tun.xml \
	    --pcap-dir $(REPORT_DIR)/pcap-tun vectors/; rc=$$?; \
	$(O)/synack run --strict --target tun --ip_version ipv6 -j$(NET_JOBS) \
	    --expect vectors/expect/tun.tsv --json $(REPORT_DIR)/results-tun-ipv6.json \
	    --junit $(REPORT_DIR)/junit-tun-ipv6.xml --pcap-dir $(REPORT_DIR)/pcap-tun-ipv6 \
	    vectors/; rc6=$$?; \
	    $(MAKE) --no-print-directory net-report; [ $$rc -eq 0 ] && [ $$rc6 -eq 0 ]

conformance-linux: $(SYNACK)
	@mkdir -p $(REPORT_DIR)
	$(O)/synack run --strict --target linux -j$(NET_JOBS) --expect vectors/expect/linux.tsv \
	    --json $(REPORT_DIR)/results-linux.json --junit $(REPORT_DIR)/junit-linux.xml \
	    --pcap-dir $(REPORT_DIR)/pcap-linux vectors/; rc=$$?; \
	$(O)/synack run --strict --target linux --ip_version ipv6 -j$(NET_JOBS) \
	    --expect vectors/expect/linux.tsv --json $(REPORT_DIR)/results-linux-ipv6.json \
	    --junit $(REPORT_DIR)/junit-linux-ipv6.xml --pcap-dir $(REPORT_DIR)/pcap-linux-ipv6 \
	    vectors/; rc6=$$?; \
	    $(MAKE) --no-print-directory net-report; [ $$rc -eq 0 ] && [ $$rc6 -eq 0 ]

# mem first (it clears REPORT_DIR), then synack through packetdrill's SO
# interface (so) and lwIP (mk/so.mk, mk/lwip.mk), then the two real-time targets.
conformance-all: $(SYNACK)
	@$(MAKE) --no-print-directory check-conformance
	@$(MAKE) --no-print-directory conformance-so; a=$$?; \
	 $(MAKE) --no-print-directory conformance-lwip; b=$$?; \
	 $(MAKE) --no-print-directory conformance-tun; c=$$?; \
	 $(MAKE) --no-print-directory conformance-linux; d=$$?; \
	 [ $$a -eq 0 ] && [ $$b -eq 0 ] && [ $$c -eq 0 ] && [ $$d -eq 0 ]

# The HTML report of every target that has results in REPORT_DIR.
net-report: $(SYNACK)
	$(O)/synack report --html $(REPORT_DIR) $(NET_REPORT_INPUTS)

-include $(APP_OBJ:.o=.d) $(PDSO_OBJ:.o=.d) $(PDSO_CHECK).d
