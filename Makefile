# synack: the one entry point. `make help` lists the targets.
#
#   make [all]        libsynack.a, the synack command, the apps
#   make check        unit tests, the conformance suite and the fuzz regressions
#   make conformance  the vectors on the mem target, with reports/latest/index.html
#   make deps         install missing Debian packages (mk/packages)
#   make bench        performance figures beside the kernel's (reports/latest/bench.json)
#   make stress       figures under attack and churn (root; STRESS_PARTS, STRESS_CHURN_RATE, ...)
#   make install      PREFIX=/usr/local DESTDIR= : libsynack.a and .so, headers, synack.pc, synack
#   make clean
#
# SAN=1 builds everything with ASan and UBSan into build-san/ (CI uses it).

.DEFAULT_GOAL := all
SAN ?= 0
PREFIX ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0

ifeq ($(SAN),1)
O := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
else
O := build
SANFLAGS :=
endif

CFLAGS ?= -O2 -g
OBJCOPY ?= objcopy
WARN := -std=c11 -Wall -Wextra -Werror
ALL_CPPFLAGS := -Istack/include -D_DEFAULT_SOURCE $(CPPFLAGS)
ALL_CFLAGS := $(WARN) $(SANFLAGS) -MMD -MP $(CFLAGS)
ALL_LDFLAGS := $(SANFLAGS) $(LDFLAGS)
PCAP_LIBS := $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
JSON_LIBS := $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)

# ---- the stack: libsynack.a --------------------------------------------
STACK_DIRS := util wire ip tcp core socket link
STACK_SRC := $(foreach d,$(STACK_DIRS),$(wildcard stack/$(d)/*.c))
STACK_OBJ := $(STACK_SRC:%.c=$(O)/%.o)
LIB := $(O)/libsynack.a
# What the library exports: its public API and nothing else, so it links
# into one process with another stack (lwIP's raw API has tcp_input,
# tcp_output, tcp_close...). One pattern, used by every library built from
# the stack (libsynack.a here; a shared library's version script too).
LIB_EXPORT := synack_*
# The stack's objects with their internal symbols still global: for the
# unit tests, which test the layers below the API.
LIB_INTERNAL := $(O)/libsynack-internal.a

# Internal headers (stack/<layer>/*.h) are visible to the stack and its tests.
$(STACK_OBJ): ALL_CPPFLAGS += -Istack

# ---- unit tests of the stack ---------------------------------------------
STACK_TEST_SUPPORT := $(wildcard stack/tests/support/*.c)
STACK_TEST_SUPPORT_OBJ := $(STACK_TEST_SUPPORT:%.c=$(O)/%.o)
STACK_TESTS := $(patsubst %.c,$(O)/%,$(wildcard stack/tests/test_*.c))
$(STACK_TESTS:%=%.o) $(STACK_TEST_SUPPORT_OBJ): ALL_CPPFLAGS += -Istack -Istack/tests

# ---- benchmarks (make bench) ---------------------------------------------
BENCH := $(patsubst %.c,$(O)/%,$(wildcard stack/bench/*.c))
$(BENCH): %: %.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PCAP_LIBS)

# ---- the harness: libharness.a and the synack command -------------------
# Every .c under harness/ except main.c and tests/ goes into libharness.a.
# The harness sees only the stack's public headers.
# (target/so_host.c is a program of its own: mk/so.mk.)
HARNESS_SRC := $(filter-out harness/main.c harness/tests/% harness/target/so_host.c,\
                 $(wildcard harness/*.c harness/*/*.c))
HARNESS_OBJ := $(HARNESS_SRC:%.c=$(O)/%.o)
HARNESS_LIB := $(O)/libharness.a
SYNACK := $(if $(wildcard harness/main.c),$(O)/synack)
# The so: targets' host (built by mk/so.mk): named here because mk/lwip.mk,
# included before mk/so.mk, lists it as a prerequisite.
SO_HOST := $(O)/synack-so-host
HARNESS_TESTS := $(patsubst %.c,$(O)/%,$(wildcard harness/tests/test_*.c))
$(HARNESS_OBJ) $(HARNESS_TESTS:%=%.o) $(O)/harness/main.o: ALL_CPPFLAGS += -Iharness \
	-DSYNACK_VERSION='"$(VERSION)"'

$(HARNESS_LIB): $(HARNESS_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(O)/synack: $(O)/harness/main.o $(HARNESS_LIB) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PCAP_LIBS) $(JSON_LIBS) -lm

$(HARNESS_TESTS): %: %.o $(HARNESS_LIB) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(HARNESS_LIB) $(LIB) $(CMOCKA_LIBS) $(PCAP_LIBS) $(JSON_LIBS) -lm

# ---- everything that is built into the tree ------------------------------
ALL_OBJ := $(STACK_OBJ) $(STACK_TEST_SUPPORT_OBJ) $(STACK_TESTS:%=%.o) $(BENCH:%=%.o) \
           $(HARNESS_OBJ) $(HARNESS_TESTS:%=%.o) $(O)/harness/main.o
ALL_BIN := $(LIB) $(if $(HARNESS_SRC),$(HARNESS_LIB)) $(SYNACK)

.PHONY: all
all: $(ALL_BIN)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

# libsynack.a is one object: the stack's objects linked together (ld -r),
# every symbol but $(LIB_EXPORT) made local. `make check-symbols` checks it.
$(O)/synack-lib.o: $(STACK_OBJ)
	$(LD) -r -o $@.all $^
	$(OBJCOPY) -w --keep-global-symbol='$(LIB_EXPORT)' $@.all $@
	rm -f $@.all

$(LIB): $(O)/synack-lib.o
	rm -f $@
	$(AR) rcs $@ $^

$(LIB_INTERNAL): $(STACK_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# test_tcp_memory makes chosen allocations of the stack fail (its calloc is wrapped).
$(O)/stack/tests/test_tcp_memory $(O)/mutate/stack/tests/test_tcp_memory: \
    ALL_LDFLAGS += -Wl,--wrap=calloc
$(STACK_TESTS): %: %.o $(STACK_TEST_SUPPORT_OBJ) $(LIB_INTERNAL)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(STACK_TEST_SUPPORT_OBJ) $(LIB_INTERNAL) $(CMOCKA_LIBS) $(PCAP_LIBS)

-include $(ALL_OBJ:.o=.d)

# ---- parts with their own make fragments ---------------------------------
# Each mk/*.mk may add build rules, targets, and names to CHECK_MORE (the
# suites `make check` runs after the unit tests and the conformance suite).
CHECK_MORE :=
include $(sort $(wildcard mk/*.mk))

# Every symbol a library of the stack exports carries the prefix (DESIGN 4);
# an object for packetdrill's interface exports only its init function (and
# lwIP's, the sys_now it gives lwIP).
.PHONY: check-symbols
check-symbols: $(LIB) $(SOLIB) $(PDSO) $(LWIP_SO)
	@sh mk/check-symbols.sh static $(LIB) '$(LIB_EXPORT)'
	@sh mk/check-symbols.sh shared $(SOLIB) '$(LIB_EXPORT)'
	@sh mk/check-symbols.sh shared $(PDSO) packetdrill_interface_init
	@sh mk/check-symbols.sh shared $(LWIP_SO) 'packetdrill_interface_init|sys_now'
CHECK_MORE += check-symbols

# ---- deps, check ---------------------------------------------------------
.PHONY: deps check check-unit tests
deps:
	@sh mk/deps.sh

UNIT_TESTS := $(STACK_TESTS) $(HARNESS_TESTS)
tests: $(UNIT_TESTS)

# `check` installs what it needs first, then runs every suite. The sub-make
# keeps `deps` strictly before any compile under `make -j`.
check: deps
	@$(MAKE) --no-print-directory check-unit check-conformance $(CHECK_MORE)

# ---- the conformance suite (DESIGN 6) -------------------------------------
# `make conformance` runs vectors/ on the mem target and writes the HTML
# report, JSON, JUnit XML and one capture per vector under reports/latest/.
REPORT_DIR ?= reports/latest
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
.PHONY: conformance check-conformance
conformance: deps
	@$(MAKE) --no-print-directory check-conformance

# The previous run's results are kept ($(O)/previous-results-mem.json), so
# the report says what newly fails and what was fixed since. The suite runs
# in each --ip_version (harness/README.md): a column per family.
check-conformance: $(SYNACK)
	@prev=$(O)/previous-results-mem.json; \
	 if [ -f $(REPORT_DIR)/results-mem.json ]; then cp $(REPORT_DIR)/results-mem.json $$prev; fi; \
	 mkdir -p $(REPORT_DIR) && \
	 find $(REPORT_DIR) -mindepth 1 -maxdepth 1 ! -name 'bench.*' -exec rm -rf {} + && \
	 set -x && $(O)/synack run --strict --target mem -j$(JOBS) --json $(REPORT_DIR)/results-mem.json \
	    --junit $(REPORT_DIR)/junit-mem.xml --pcap-dir $(REPORT_DIR)/pcap vectors/ && \
	 for v in ipv4-mapped-ipv6 ipv6; do \
	    $(O)/synack run --strict --target mem --ip_version $$v -j$(JOBS) -q \
	        --json $(REPORT_DIR)/results-mem-$$v.json --junit $(REPORT_DIR)/junit-mem-$$v.xml \
	        --pcap-dir $(REPORT_DIR)/pcap-$$v vectors/ || exit 1; done && \
	 $(O)/synack report --html $(REPORT_DIR) $$([ -f $$prev ] && echo --previous $$prev) \
	    $(REPORT_DIR)/results-mem.json $(REPORT_DIR)/results-mem-ipv4-mapped-ipv6.json \
	    $(REPORT_DIR)/results-mem-ipv6.json

check-unit: $(UNIT_TESTS)
	@sh mk/run-tests.sh $(UNIT_TESTS)
	@sh mk/run-tests.sh "harness/tests/report_browser.sh $(O)/harness/tests/test_report $(O)/report-browser"

# ---- bench: figures, not assertions -------------------------------------
# synack beside the kernel in one run (stack/bench/bench.py says what each
# figure is): a table, $(REPORT_DIR)/bench.json and bench.html. As root it
# makes (and deletes) its own namespaces; what cannot run here says why.
# BENCH_REPEAT (3), BENCH_ONLY=mem,veth,tun,conns,fuzz,loss,path, BENCH_FUZZ_SECONDS (60),
# BENCH_CONNS (100000), BENCH_TUN_MIB (512).
BENCH_FUZZ := $(if $(shell command -v $(FUZZ_AFLCC) 2>/dev/null),\
                $(FUZZ_O)/afl/stack $(FUZZ_O)/afl-cmplog/stack)
.PHONY: bench bench-build
bench-build: $(BENCH) $(SYNACK) $(BENCH_FUZZ)
bench: bench-build
	@echo "== past 16 GiB without loss: cwnd stays within the send buffer + IW (it wrapped at 8 GiB)"
	@$(O)/stack/bench/bench_bulk --mib 17408
	@echo "== 1% and 5% loss on a 20 ms path over TUN: synack beside the kernel (stack/bench/lossy.sh)"
	@sh stack/bench/lossy.sh $(O)
	@python3 stack/bench/bench.py $(O) --out $(REPORT_DIR) --fuzz-build $(FUZZ_O)

# ---- install ---------------------------------------------------------------
.PHONY: install
INCDIR := $(DESTDIR)$(PREFIX)/include/synack
LIBDIR := $(DESTDIR)$(PREFIX)/lib
BINDIR := $(DESTDIR)$(PREFIX)/bin
PCDIR := $(LIBDIR)/pkgconfig

install: all
	install -d $(INCDIR) $(LIBDIR) $(PCDIR) $(BINDIR)
	install -m 644 stack/include/synack/*.h $(INCDIR)/
	install -m 644 $(LIB) $(LIBDIR)/
	install -m 755 $(SOLIB) $(LIBDIR)/
	ln -sf $(notdir $(SOLIB)) $(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(LIBDIR)/libsynack.so
	$(if $(SYNACK),install -m 755 $(SYNACK) $(BINDIR)/)
	sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@PCAP_LIBS@|$(PCAP_LIBS)|g' \
	    mk/synack.pc.in > $(PCDIR)/synack.pc
	@echo "installed into $(DESTDIR)$(PREFIX)"

# ---- clean -----------------------------------------------------------------
.PHONY: clean help
clean:
	rm -rf build build-san

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'
