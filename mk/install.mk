# make install / make uninstall (PREFIX=/usr/local, DESTDIR honoured): the
# five tools with a man page each, libslink.a and the public headers for
# applications and firmware projects (pkg-config slink, CMake slink::slink),
# the systemd units, the sysusers.d entry and the example configuration.
# install-check (in make check) installs into a DESTDIR, builds a program
# against the installed tree with pkg-config and with CMake, runs it, then
# uninstalls (tests/install/install_check.sh).

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/slink
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CMAKEDIR   ?= $(LIBDIR)/cmake/slink
INSTALL    ?= install

SLINK_VERSION := $(shell sed -n 's/^\#define SLINK_VERSION_STRING "\(.*\)"/\1/p' include/slink/version.h)
INSTALL_BIN  := slinkctl slink-pki slink-dump slink-linesim
INSTALL_MAN1 := $(addprefix docs/man/,$(addsuffix .1,$(INSTALL_BIN)))
INSTALL_HDR  := $(notdir $(wildcard include/slink/*.h))
INSTALL_DOC  := docs/slinkd.conf.example docs/DAEMON.md docs/RS485.md docs/TOOLS.md docs/PROTOCOL.md
# A path below PREFIX is written relative to it (pkg-config's ${prefix},
# CMake's own location), so the installed tree can move.
rel_prefix = $(if $(filter $(PREFIX)/%,$(1)),$(patsubst $(PREFIX)/%,%,$(1)),$(1))

.PHONY: install uninstall install-check
install: $(LIB) $(BUILD)/slinkd $(addprefix $(BUILD)/,$(INSTALL_BIN))
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/slink \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(CMAKEDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/slink
	$(INSTALL) -m 0755 $(BUILD)/slinkd $(DESTDIR)$(SBINDIR)/slinkd
	$(INSTALL) -m 0755 $(addprefix $(BUILD)/,$(INSTALL_BIN)) $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0644 docs/man/slinkd.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 docs/man/slinkd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 $(INSTALL_MAN1) $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 $(LIB) $(DESTDIR)$(LIBDIR)/libslink.a
	$(INSTALL) -m 0644 $(addprefix include/slink/,$(INSTALL_HDR)) $(DESTDIR)$(INCLUDEDIR)/slink/
	sed -e 's|@PREFIX@|$(PREFIX)|' \
	    -e 's|@LIBDIR@|$(if $(filter $(PREFIX)/%,$(LIBDIR)),$${prefix}/$(call rel_prefix,$(LIBDIR)),$(LIBDIR))|' \
	    -e 's|@INCLUDEDIR@|$(if $(filter $(PREFIX)/%,$(INCLUDEDIR)),$${prefix}/$(call rel_prefix,$(INCLUDEDIR)),$(INCLUDEDIR))|' \
	    -e 's|@VERSION@|$(SLINK_VERSION)|' tools/install/slink.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/slink.pc
	sed -e "s|@CMAKE_TO_PREFIX@|$$(realpath -m --relative-to=$(CMAKEDIR) $(PREFIX))|" \
	    -e 's|@LIBDIR_REL@|$(call rel_prefix,$(LIBDIR))|' -e 's|@INCLUDEDIR_REL@|$(call rel_prefix,$(INCLUDEDIR))|' \
	    -e 's|@VERSION@|$(SLINK_VERSION)|' tools/install/slinkConfig.cmake.in > $(DESTDIR)$(CMAKEDIR)/slinkConfig.cmake
	sed -e 's|@VERSION@|$(SLINK_VERSION)|' -e 's|@VERSION_MAJOR@|$(word 1,$(subst ., ,$(SLINK_VERSION)))|' \
	    -e 's|@VERSION_MINOR@|$(word 2,$(subst ., ,$(SLINK_VERSION)))|' \
	    -e "s|@SIZEOF_VOID_P@|$$($(CC) -dM -E - < /dev/null | sed -n 's/^#define __SIZEOF_POINTER__ //p')|" \
	    tools/install/slinkConfigVersion.cmake.in > $(DESTDIR)$(CMAKEDIR)/slinkConfigVersion.cmake
	for u in slinkd.service slinkd@.service; do \
	    sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' tools/systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/slink.pc $(DESTDIR)$(CMAKEDIR)/*.cmake $(DESTDIR)$(UNITDIR)/slinkd.service \
	    $(DESTDIR)$(UNITDIR)/slinkd@.service
	$(INSTALL) -m 0644 tools/systemd/slinkd.sysusers $(DESTDIR)$(SYSUSERSDIR)/slinkd.conf
	$(INSTALL) -m 0644 $(INSTALL_DOC) $(DESTDIR)$(DOCDIR)/

# Removes what install put there; directories only when empty (a
# configuration in SYSCONFDIR/slink stays).
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/slinkd $(addprefix $(DESTDIR)$(BINDIR)/,$(INSTALL_BIN)) \
	    $(DESTDIR)$(MANDIR)/man8/slinkd.8 $(DESTDIR)$(MANDIR)/man5/slinkd.conf.5 \
	    $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(INSTALL_MAN1))) \
	    $(DESTDIR)$(LIBDIR)/libslink.a $(addprefix $(DESTDIR)$(INCLUDEDIR)/slink/,$(INSTALL_HDR)) \
	    $(DESTDIR)$(PKGCONFIGDIR)/slink.pc $(DESTDIR)$(CMAKEDIR)/slinkConfig.cmake \
	    $(DESTDIR)$(CMAKEDIR)/slinkConfigVersion.cmake $(DESTDIR)$(UNITDIR)/slinkd.service \
	    $(DESTDIR)$(UNITDIR)/slinkd@.service $(DESTDIR)$(SYSUSERSDIR)/slinkd.conf \
	    $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(INSTALL_DOC)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/slink $(DESTDIR)$(CMAKEDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/slink 2>/dev/null

install-check: $(LIB) $(BUILD)/slinkd $(addprefix $(BUILD)/,$(INSTALL_BIN))
	@BUILD=$(BUILD) MAKE="$(MAKE)" bash tests/install/install_check.sh

CHECK_TARGETS += install-check

# Debian packages (slinkd, slink-tools, libslink-dev) from a copy of the
# tracked tree, so that dpkg-buildpackage's output lands in $(BUILD)/deb
# rather than beside the checkout.  Needs debhelper (not in make check:
# about a minute of 2 cores; run by hand, see debian/rules).
.PHONY: deb
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/slink-$(SLINK_VERSION)
	git ls-files -co --exclude-standard | tar -cf - -T - | tar -xf - -C $(BUILD)/deb/slink-$(SLINK_VERSION)
	cd $(BUILD)/deb/slink-$(SLINK_VERSION) && dpkg-buildpackage -us -uc -b
	@ls $(BUILD)/deb/*.deb
