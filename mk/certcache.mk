# The verified-certificate cache's unit test counts ECDSA verifications at
# the crypto port: its binary wraps slink_p256_verify_hash (an explicit rule
# here takes precedence over the generic test_% pattern of the Makefile).
$(BUILD)/tests/test_certcache: tests/unit/test_certcache.c $(TEST_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/common -Isrc $(CFLAGS_HOST) $< $(TEST_COMMON_OBJ) \
	    -Wl,--wrap=slink_p256_verify_hash $(LIB) $(MBEDTLS_LIBS) $(CHECK_LIBS) -o $@
