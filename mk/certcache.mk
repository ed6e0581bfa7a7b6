# The verified-certificate cache's unit test counts ECDSA verifications at
# the crypto port: its binary wraps slink_p256_verify_hash.  A pattern-
# specific value, so every build of the unit suite (build/tests, unit-psa,
# unit-asan, unit-mcu-cfg) links it that way through its own rule.
%/tests/test_certcache: CHECK_LIBS += -Wl,--wrap=slink_p256_verify_hash
