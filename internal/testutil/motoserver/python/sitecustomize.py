# Loaded by moto_server's Python through PYTHONPATH (motoserver.Start).
#
# moto_server finds the backend of every request by listing its own
# package directory and stat-ing each of its ~180 entries
# (moto.backends.list_of_moto_modules, called from
# DomainDispatcherApplication.get_backend_for_host under a global lock):
# about 1 ms of its ~4 ms per request, 40% of its CPU in the retire tests
# (measured with cProfile). The directory does not change while the server
# runs, so the listing is read once. Nothing else in moto is touched: the
# API it answers is moto 5.2.1's.
import functools

try:
    import moto.backends as _backends

    _list = _backends.list_of_moto_modules

    @functools.lru_cache(maxsize=None)
    def _listed():
        return tuple(_list())

    _backends.list_of_moto_modules = _listed
except Exception:  # any other moto: leave it as it is
    pass

# werkzeug logs one line per request to stderr, which motoserver keeps
# only to explain a server that did not start: warnings and errors are
# enough for that.
import logging

logging.getLogger("werkzeug").setLevel(logging.WARNING)

# Every IAM backend moto creates (one per account and partition, again
# after each reset) parses the same 1,400 AWS managed policies from one
# JSON string when MOTO_IAM_LOAD_MANAGED_POLICIES is set: ~50 of its
# ~120 ms. The parse is kept; each backend still builds its own policy
# objects from it (from_data only reads the parsed data).
try:
    import json as _json

    import moto.iam.models as _iam

    @functools.lru_cache(maxsize=None)
    def _aws_policies_parsed():
        return _json.loads(_iam.aws_managed_policies_data)

    def _init_aws_policies(self):
        if not _iam.load_iam_aws_managed_policies():
            return []
        return [
            _iam.AWSManagedPolicy.from_data(name, self.account_id, self.region_name, d)
            for name, d in _aws_policies_parsed().items()
        ]

    if hasattr(_iam.IAMBackend, "_init_aws_policies"):
        _iam.IAMBackend._init_aws_policies = _init_aws_policies
except Exception:  # any other moto: leave it as it is
    pass
