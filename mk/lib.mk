# mk/lib.mk: libsynack as a library people embed (stack/README.md,
# "Embedding libsynack").
#
#   make shared         $(O)/libsynack.so.VERSION, soname libsynack.so.MAJOR,
#                       exporting $(LIB_EXPORT) only (a version script made
#                       from the same pattern as libsynack.a's objcopy)
#   make examples       $(O)/examples/two_stacks, $(O)/examples/echo_server
#   check-examples      (make check) two stacks echo 1 MiB byte-exact, also with
#                       2% loss; the echo server over TUN in a namespace the test
#                       makes and deletes (skipped, with why, when not root)
#   check-install       (make check) make install into a DESTDIR, then build and
#                       run an example against it through pkg-config, with the
#                       shared and with the static library

# ---- the shared library ---------------------------------------------------
SO_MAJOR := 0
SONAME := libsynack.so.$(SO_MAJOR)
SOLIB := $(O)/libsynack.so.$(VERSION)
SO_OBJ := $(STACK_SRC:%.c=$(O)/shared/%.o)
SO_MAP := $(O)/libsynack.map

$(O)/shared/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Istack $(ALL_CFLAGS) -fPIC -c $< -o $@

# The version script: $(LIB_EXPORT) global, everything else local.
$(SO_MAP): Makefile mk/lib.mk
	@mkdir -p $(@D)
	printf 'SYNACK_%s {\n  global: %s;\n  local: *;\n};\n' '$(SO_MAJOR)' '$(LIB_EXPORT)' >$@

$(SOLIB): $(SO_OBJ) $(SO_MAP)
	$(CC) $(ALL_LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=$(SO_MAP) \
	    -Wl,-z,defs -o $@ $(SO_OBJ) $(PCAP_LIBS)
	ln -sf $(notdir $@) $(O)/$(SONAME)
	ln -sf $(SONAME) $(O)/libsynack.so

.PHONY: shared
shared: $(SOLIB)
all: $(SOLIB)

# ---- examples -------------------------------------------------------------
EXAMPLES := $(patsubst stack/examples/%.c,$(O)/examples/%,$(wildcard stack/examples/*.c))

$(O)/examples/%: stack/examples/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) $(LIB) $(PCAP_LIBS)

.PHONY: examples check-examples
examples: $(EXAMPLES)
all: $(EXAMPLES)

check-examples: $(EXAMPLES)
	@sh mk/run-tests.sh "$(O)/examples/two_stacks" "$(O)/examples/two_stacks 2" \
	    $(if $(wildcard stack/examples/echo_server.c),"stack/examples/echo_server_test.sh $(O)")

# ---- install check ----------------------------------------------------------
INSTALL_CHECK := $(O)/install-check
.PHONY: check-install
check-install: all
	@rm -rf $(INSTALL_CHECK)
	@$(MAKE) --no-print-directory install DESTDIR=$(abspath $(INSTALL_CHECK))/root \
	    PREFIX=/opt/synack >$(INSTALL_CHECK).log 2>&1 || { cat $(INSTALL_CHECK).log; exit 1; }
	@sh mk/install-check.sh $(INSTALL_CHECK) /opt/synack "$(CC)" "$(ALL_LDFLAGS)"

CHECK_MORE += check-examples check-install
-include $(SO_OBJ:.o=.d)
