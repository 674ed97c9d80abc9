"""aio_example: an example binary plus a test that checks its output."""

def aio_example(name, deps = [], srcs = None, golden = None, **kwargs):
    native.cc_binary(
        name = name,
        srcs = srcs or [name + ".cc"],
        deps = deps + ["//examples:example_util"],
        **kwargs
    )
    native.sh_test(
        name = name + "_output_test",
        size = "small",
        srcs = ["//examples:check_output.sh"],
        args = ["$(location :%s)" % name, "$(location %s)" % (golden or "golden/%s.txt" % name)],
        data = [":" + name, golden or "golden/%s.txt" % name],
    )
