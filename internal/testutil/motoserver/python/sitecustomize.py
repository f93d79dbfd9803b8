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
