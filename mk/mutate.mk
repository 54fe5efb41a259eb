# mk/mutate.mk: mutation testing of the suite (harness/README.md, "Mutation
# testing"). The mutation build is its own tree, $(O)/mutate/: the stack
# compiled with -DSYNACK_MUTATION, where the variable SYNACK_MUTANT switches
# on one mutant of the catalogue (stack/util/mutant.h) at run time, linked
# with the harness's and the unit tests' ordinary objects. The library users
# link ($(O)/libsynack.a, .so) is never built with it (check-symbols).
#
#   make mutate        every mutant against the vectors and the stack's unit
#                      tests: caught/survived per mutant and per requirement,
#                      $(MUTATE_DIR)/mutate.json and strength.html
#                      (MUTANTS='a b' runs those only; MUTATE_UNIT=0 skips the unit tests)
#   check-mutate       (make check) a fixed sample of mutants against the
#                      vectors: each must be killed

MUT := $(O)/mutate
MUT_STACK_OBJ := $(STACK_SRC:%.c=$(MUT)/%.o) $(MUT)/stack/mutate/mutant.o
MUT_TESTS := $(STACK_TESTS:$(O)/%=$(MUT)/%)
MUTATE_DIR ?= reports/mutate
MUTATE_UNIT ?= 1
MUTANTS ?=
# The sample make check runs: one per area, each killed by a vector.
MUTATE_SAMPLE := abort_rst_at_una wl_guard_off text_no_trim keepcnt_plus_one

$(MUT)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Istack -DSYNACK_MUTATION $(ALL_CFLAGS) -c $< -o $@

$(MUT)/synack-lib.o: $(MUT_STACK_OBJ)
	$(LD) -r -o $@.all $^
	$(OBJCOPY) -w --keep-global-symbol='$(LIB_EXPORT)' $@.all $@
	rm -f $@.all

$(MUT)/libsynack.a: $(MUT)/synack-lib.o
	rm -f $@
	$(AR) rcs $@ $^

$(MUT)/libsynack-internal.a: $(MUT_STACK_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(MUT)/synack: $(O)/harness/main.o $(HARNESS_LIB) $(MUT)/libsynack.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PCAP_LIBS) $(JSON_LIBS) -lm

$(MUT)/mutants: $(MUT)/stack/mutate/mutants.o $(MUT)/libsynack.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PCAP_LIBS)

$(MUT_TESTS): $(MUT)/%: $(O)/%.o $(STACK_TEST_SUPPORT_OBJ) $(MUT)/libsynack-internal.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(STACK_TEST_SUPPORT_OBJ) $(MUT)/libsynack-internal.a \
	    $(CMOCKA_LIBS) $(PCAP_LIBS)

MUTATE_RUN = $(PYTHON) mk/mutate.py --build $(MUT) --synack $(SYNACK) -j$(JOBS) \
	--registry vectors/requirements.tsv --vectors vectors/

.PHONY: mutate-build mutate check-mutate
mutate-build: $(MUT)/synack $(MUT)/mutants $(if $(filter 1,$(MUTATE_UNIT)),$(MUT_TESTS))

mutate: mutate-build
	@mkdir -p $(MUTATE_DIR)
	$(MUTATE_RUN) $(if $(filter 1,$(MUTATE_UNIT)),--unit '$(MUT_TESTS)') \
	    --json $(MUTATE_DIR)/mutate.json --html $(MUTATE_DIR) $(MUTANTS)

check-mutate: $(MUT)/synack $(MUT)/mutants $(LIB)
	@if nm $(LIB) | grep -qi mutant; then echo "check-mutate: $(LIB) holds mutation code"; exit 1; fi
	@$(MUTATE_RUN) --quiet --require-killed $(MUTATE_SAMPLE)

CHECK_MORE += check-mutate
-include $(MUT_STACK_OBJ:.o=.d) $(MUT)/stack/mutate/mutants.d
