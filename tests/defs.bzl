"""Test macros shared by every component's tests."""

def aio_cc_test(name, srcs, deps = [], size = "small", tags = [], **kwargs):
    """A GoogleTest cc_test with the repository's defaults."""
    native.cc_test(
        name = name,
        srcs = srcs,
        size = size,
        tags = tags,
        deps = deps + ["//third_party:gtest_main"],
        **kwargs
    )
