# mk/fuzz.mk: the fuzz targets (fuzz/), their seeds (corpus/) and campaigns.
# fuzz/README.md says what each target checks and how to read a crash.
#
#   make fuzz-regress      replay every seed and saved reproducer through the
#                          ASan+UBSan build (no AFL++ needed; `make check` runs it)
#   make fuzz TARGET=stack FUZZ_TIME=600 [FUZZ_JOBS=N]
#                          an AFL++ campaign: one main (with CmpLog), one
#                          secondary per extra core (ASan+UBSan and plain by
#                          turns), afl-whatsup at the end
#   make fuzz-found TARGET=stack
#                          keep the inputs of the last campaign that reach new
#                          edges (afl-cmin) in corpus/found/TARGET
#   make fuzz-build        every variant of every target (AFL++ and libFuzzer)
#   make corpus            regenerate corpus/<target>/ from vectors/
#   make fuzz-coverage     line coverage of stack/ reached by the corpus (llvm-cov)
#   make fuzz-clean
#
# Each target is built from the sources, not from libsynack.a, once per
# variant, into build-fuzz/<variant>/ (objects in build-fuzz/<variant>/obj/):
#
#   regress   clang, ASan+UBSan, a main() that replays files   (fuzz-regress)
#   cov       clang, source-based coverage, replays files      (fuzz-coverage)
#   afl       afl-clang-fast, persistent mode
#   afl-asan  afl-clang-fast, persistent mode, ASan+UBSan
#   afl-cmplog afl-clang-fast with CmpLog (the main instance's -c binary)
#   libfuzzer clang -fsanitize=fuzzer,address,undefined
#
# The RNG seed is fixed in every build (the targets set rng_seed). Checksums
# are verified unless FUZZ_NO_CHECKSUM=1 (wire: parse with
# WIRE_PARSE_NO_CHECKSUM; stack: raw datagrams get their checksums repaired),
# which builds into build-fuzz/nocsum/<variant>/.

FUZZ_NO_CHECKSUM ?= 0
# Builds without checksums are kept apart: a flag is not a dependency.
FUZZ_O := build-fuzz$(if $(filter 1,$(FUZZ_NO_CHECKSUM)),/nocsum)
FUZZ_PCAP := $(if $(and $(wildcard harness/pcap/capture.h),$(wildcard fuzz/pcap.c)),pcap)
FUZZ_TARGETS := wire stack script ip_reasm $(FUZZ_PCAP) diff
TARGET ?= stack
FUZZ_TIME ?= 600
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 1)

FUZZ_CLANG ?= clang
FUZZ_AFLCC ?= afl-clang-fast
FUZZ_WARN := -std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE
# The fuzz targets read internal headers (tcb.h, sock.h) for their checks.
FUZZ_CPPFLAGS := -Istack/include -Istack -Iharness \
                 $(if $(filter 1,$(FUZZ_NO_CHECKSUM)),-DSYNACK_FUZZ_NO_CHECKSUM)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

# What each target links, besides its own file.
FUZZ_STACK_SRC := $(foreach d,util wire ip tcp core socket,$(wildcard stack/$(d)/*.c))
FUZZ_SRC_wire := $(wildcard stack/wire/*.c)
FUZZ_SRC_stack := $(FUZZ_STACK_SRC) $(wildcard harness/oracle/*.c)
FUZZ_SRC_script := $(wildcard harness/script/*.c) $(wildcard stack/wire/*.c)
FUZZ_SRC_ip_reasm := stack/ip/ip_reasm.c $(wildcard stack/wire/*.c)
FUZZ_SRC_pcap := $(wildcard harness/pcap/capture.c) $(wildcard harness/oracle/*.c) \
                 $(wildcard stack/wire/*.c)
FUZZ_LIBS_pcap := $(PCAP_LIBS)
# diff: synack's object of packetdrill's SO interface linked in, lwIP's
# ($(LWIP_SO)) loaded at run time.
FUZZ_SRC_diff := $(FUZZ_STACK_SRC) $(wildcard harness/oracle/*.c) \
                 $(addprefix stack/packetdrill/,synack_packetdrill.c pdso_fds.c pdso_enosys.c)
FUZZ_LIBS_diff := -ldl -lpthread

# fuzz_variant name, compiler, flags: objects (in obj/) and one binary per target.
define fuzz_variant
$(FUZZ_O)/$(1)/obj/%.o: %.c
	@mkdir -p $$(@D)
	$(2) $$(FUZZ_WARN) $$(FUZZ_CPPFLAGS) $(3) -MMD -MP -c $$< -o $$@

$(foreach t,$(FUZZ_TARGETS),
$(FUZZ_O)/$(1)/$(t): $(FUZZ_O)/$(1)/obj/fuzz/$(t).o $(FUZZ_SRC_$(t):%.c=$(FUZZ_O)/$(1)/obj/%.o)
	$(2) $(3) -o $$@ $$^ $(FUZZ_LIBS_$(t)))
endef

$(eval $(call fuzz_variant,regress,$(FUZZ_CLANG),-O1 -g $(FUZZ_SAN)))
$(eval $(call fuzz_variant,cov,$(FUZZ_CLANG),-O0 -g -fprofile-instr-generate -fcoverage-mapping))
$(eval $(call fuzz_variant,afl,$(FUZZ_AFLCC),-O2 -g))
$(eval $(call fuzz_variant,afl-asan,$(FUZZ_AFLCC),-O1 -g $(FUZZ_SAN)))
$(eval $(call fuzz_variant,afl-cmplog,AFL_LLVM_CMPLOG=1 $(FUZZ_AFLCC),-O2 -g))
$(eval $(call fuzz_variant,libfuzzer,$(FUZZ_CLANG),-O1 -g -DFUZZ_LIBFUZZER -fsanitize=fuzzer $(FUZZ_SAN)))

# The stack target's own checks are not instrumented by AFL++ (the list says
# which functions and why); its steps and the stack are.
FUZZ_STACK_AFL_O := $(foreach v,afl afl-asan afl-cmplog,$(FUZZ_O)/$(v)/obj/fuzz/stack.o)
$(FUZZ_STACK_AFL_O): export AFL_LLVM_DENYLIST = $(CURDIR)/fuzz/stack.deny
$(FUZZ_STACK_AFL_O): fuzz/stack.deny

-include $(shell find $(FUZZ_O) -name '*.d' 2>/dev/null)

# The seed generator: scripts to step sequences of the stack target.
FUZZ_GEN := $(FUZZ_O)/tools/corpus-gen
$(FUZZ_GEN): $(FUZZ_O)/regress/obj/fuzz/gen/corpus.o $(FUZZ_SRC_script:%.c=$(FUZZ_O)/regress/obj/%.o)
	@mkdir -p $(@D)
	$(FUZZ_CLANG) -O1 -g $(FUZZ_SAN) -o $@ $^

FUZZ_REGRESS := $(FUZZ_TARGETS:%=$(FUZZ_O)/regress/%)

# ---- regression: every seed, every saved reproducer -------------------------
.PHONY: fuzz-regress fuzz-build fuzz fuzz-found fuzz-coverage fuzz-clean corpus
fuzz-regress: $(FUZZ_REGRESS)
	@for t in $(FUZZ_TARGETS); do \
	    dirs=$$(for d in corpus/$$t corpus/found/$$t corpus/regress/$$t; do \
	        [ -d $$d ] && echo $$d; done); \
	    [ -n "$$dirs" ] || { echo "fuzz-regress: $$t: no corpus"; continue; }; \
	    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    SYNACK_DIFF_LWIP=$(FUZZ_LWIP_SO) \
	        $(FUZZ_O)/regress/$$t $$dirs || exit 1; \
	done
	@SYNACK_DIFF_LWIP=$(FUZZ_LWIP_SO) sh fuzz/diff-known.sh $(FUZZ_O)/regress/diff

CHECK_MORE += fuzz-regress

fuzz-build: $(foreach v,afl afl-asan afl-cmplog libfuzzer regress,$(FUZZ_TARGETS:%=$(FUZZ_O)/$(v)/%))

# ---- a campaign (fuzz/run-afl.sh) ------------------------------------------
fuzz: $(foreach v,afl afl-asan afl-cmplog,$(FUZZ_O)/$(v)/$(TARGET))
	FUZZ_O=$(FUZZ_O) sh fuzz/run-afl.sh $(TARGET) $(FUZZ_TIME) $(FUZZ_JOBS)

fuzz-found: $(FUZZ_O)/afl/$(TARGET)
	FUZZ_O=$(FUZZ_O) sh fuzz/keep-found.sh $(TARGET)

# ---- seeds from the vectors --------------------------------------------------
comma := ,
FUZZ_VECTORS = $(shell find vectors -name '*.pkt' | sort)
# The generated state x event matrix is alike from file to file: the script
# target gets the first two vectors of each state.
# The stack target's IPv6 runs (FZ_PREFIX_V6) start from these scripts too.
FUZZ_V6_VECTORS = $(shell find vectors/handshake vectors/data vectors/close vectors/reset \
                    vectors/icmp vectors/pmtu vectors/ip -name '*.pkt' | sort)
FUZZ_MATRIX_SAMPLE = $(foreach d,$(wildcard vectors/matrix/*/),$(wordlist 1,2,$(sort $(wildcard $(d)*.pkt))))
corpus: $(FUZZ_GEN) $(FUZZ_O)/regress/stack
	rm -rf corpus/stack corpus/script corpus/wire
	mkdir -p corpus/stack corpus/script corpus/wire
	@$(FUZZ_GEN) corpus/stack $(FUZZ_VECTORS)
	@$(FUZZ_GEN) --ipv6 corpus/stack $(FUZZ_V6_VECTORS)
	$(FUZZ_GEN) --prefixes corpus/stack
	@for f in $(filter-out vectors/matrix/%,$(FUZZ_VECTORS)) $(FUZZ_MATRIX_SAMPLE) \
	    $(wildcard harness/tests/scripts/*.pkt); do \
	    cp $$f corpus/script/$$(echo $$f | sed 's|^vectors/||; s|/|-|g'); done
	SYNACK_FUZZ_DUMP=corpus/wire $(FUZZ_O)/regress/stack corpus/stack
	$(if $(FUZZ_PCAP),@sh fuzz/gen/pcap-seeds.sh corpus/pcap vectors/pcap)
	rm -rf corpus/ip_reasm && python3 fuzz/gen/ip-reasm-seeds.py corpus/ip_reasm
	@echo "corpus: $$(ls corpus/stack | wc -l) stack, $$(ls corpus/script | wc -l) script," \
	    "$$(ls corpus/wire | wc -l) wire, $$(ls corpus/ip_reasm | wc -l) ip_reasm$(if $(FUZZ_PCAP),$(comma) $$(ls corpus/pcap | wc -l) pcap)" \
	    "seeds; $$(du -sh --apparent-size corpus | cut -f1) in corpus/"

# ---- coverage of stack/ by the corpus ----------------------------------------
# Every target's build runs its seeds; the report covers the stack's sources
# the targets link (stack/link/, the devices and capture files, is not fuzzed).
FUZZ_COV := $(FUZZ_O)/cov
fuzz-coverage: $(FUZZ_TARGETS:%=$(FUZZ_COV)/%)
	@rm -rf $(FUZZ_COV)/prof && mkdir -p $(FUZZ_COV)/prof
	@for t in $(FUZZ_TARGETS); do \
	    dirs=$$(for d in corpus/$$t corpus/found/$$t corpus/regress/$$t; do \
	        [ -d $$d ] && echo $$d; done); \
	    LLVM_PROFILE_FILE=$(FUZZ_COV)/prof/$$t.profraw $(FUZZ_COV)/$$t $$dirs 2>/dev/null; \
	done
	llvm-profdata-14 merge -o $(FUZZ_COV)/all.profdata $(FUZZ_COV)/prof/*.profraw
	llvm-cov-14 report $(FUZZ_COV)/stack $(foreach t,$(filter-out stack,$(FUZZ_TARGETS)),-object $(FUZZ_COV)/$(t)) \
	    -instr-profile=$(FUZZ_COV)/all.profdata $(FUZZ_STACK_SRC) | tee $(FUZZ_COV)/report.txt
	llvm-cov-14 show $(FUZZ_COV)/stack $(foreach t,$(filter-out stack,$(FUZZ_TARGETS)),-object $(FUZZ_COV)/$(t)) \
	    -instr-profile=$(FUZZ_COV)/all.profdata \
	    -format=html -output-dir=$(FUZZ_COV)/html $(FUZZ_STACK_SRC) >/dev/null
	@echo "fuzz-coverage: $(FUZZ_COV)/report.txt, $(FUZZ_COV)/html/index.html"

fuzz-clean:
	rm -rf $(FUZZ_O)

clean: fuzz-clean
