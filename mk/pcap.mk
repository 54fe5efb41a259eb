# mk/pcap.mk: capture vectors (vectors/pcap/) and the RFC oracle on captures.
#
#   make check-pcap      replay every capture of vectors/pcap/ on mem, turn each
#                        into a script with pcap2pkt and run it, lint them, and
#                        check that tshark reads what synack writes (make check)
#   make pcap-captures   make the captures again from the Linux kernel (root:
#                        network namespaces created and deleted by the script)

PCAP_CHECK_DIR := $(O)/pcap-check

.PHONY: check-pcap pcap-captures
check-pcap: $(SYNACK)
	@sh harness/tests/pcap_check.sh $(SYNACK) $(PCAP_CHECK_DIR)

pcap-captures:
	python3 vectors/pcap/make/capture.py

CHECK_MORE += check-pcap
