# mk/vectors.mk: the vectors' generated part and their requirement coverage
# (vectors/README.md).
#
#   make matrix        regenerate vectors/matrix/<state>/*.pkt from vectors/matrix/gen/
#   make coverage      synack coverage: every requirement of vectors/requirements.tsv,
#                      its vectors and their results on COVERAGE_TARGET (mem), totals
#                      per level; fails when a testable MUST has no passing vector
#   check-matrix       (part of make check) the committed matrix is what the generator writes
#   check-coverage     (part of make check) make coverage, quietly: every testable MUST
#                      has a passing vector on mem

PYTHON ?= python3
COVERAGE_TARGET ?= mem
MATRIX_GEN := vectors/matrix/gen/gen_matrix.py

.PHONY: matrix check-matrix coverage check-coverage
matrix:
	$(PYTHON) $(MATRIX_GEN)

check-matrix:
	@$(PYTHON) $(MATRIX_GEN) --check

coverage: $(SYNACK)
	$(O)/synack coverage --strict --target $(COVERAGE_TARGET) -j$(JOBS) vectors/

check-coverage: $(SYNACK)
	@out=$$($(O)/synack coverage --strict --target $(COVERAGE_TARGET) -j$(JOBS) vectors/); rc=$$?; \
	printf '%s\n' "$$out" | tail -n 8; exit $$rc

CHECK_MORE += check-matrix check-coverage
