# mk/cli.mk: the synack command's conventions (harness/cli/opts.h).
#
#   check-cli   (part of make check) every subcommand x --help, -h, a bad
#               option, no operand; exit 2 before running on unwritable
#               outputs; exit 1 on failures and findings; relative names;
#               one location per parse error; the capture corner cases

.PHONY: check-cli
check-cli: $(SYNACK)
	@sh mk/run-tests.sh "harness/tests/cli_table.sh $(SYNACK)"

CHECK_MORE += check-cli
