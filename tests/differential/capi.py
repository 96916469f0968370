"""A minimal ctypes view of the C API for differential tests (no binding needed)."""
import ctypes
import json
import os

_lib = ctypes.CDLL(os.environ["AUTHPOLICY_LIB"])
_p = ctypes.c_void_p
CLOCK = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_void_p)

for name, args, res in [
    ("authp_config_new", [ctypes.POINTER(_p)], ctypes.c_int),
    ("authp_config_free", [_p], None),
    ("authp_config_load_json", [_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p], ctypes.c_int),
    ("authp_config_set_clock", [_p, CLOCK, _p, _p], ctypes.c_int),
    ("authp_engine_new", [ctypes.POINTER(_p), _p], ctypes.c_int),
    ("authp_engine_free", [_p], None),
    ("authp_engine_evaluate", [ctypes.POINTER(_p), _p, _p], ctypes.c_int),
    ("authp_request_new", [ctypes.POINTER(_p), _p], ctypes.c_int),
    ("authp_request_free", [_p], None),
    ("authp_request_set_view", [_p, ctypes.c_char_p, ctypes.c_size_t], ctypes.c_int),
    ("authp_request_set_remote_addr", [_p, ctypes.c_char_p, ctypes.c_size_t], ctypes.c_int),
    ("authp_request_set_remote_user", [_p, ctypes.c_char_p, ctypes.c_size_t], ctypes.c_int),
    ("authp_request_add_header", [_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t], ctypes.c_int),
    ("authp_request_set_method", [_p, ctypes.c_char_p, ctypes.c_size_t], ctypes.c_int),
    ("authp_request_set_secure", [_p, ctypes.c_int], ctypes.c_int),
    ("authp_request_set_form_field", [_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t],
     ctypes.c_int),
    ("authp_decision_to_json", [_p, _p], ctypes.c_char_p),
    ("authp_decision_free", [_p], None),
    ("authp_user_add", [_p, _p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint], ctypes.c_int),
    ("authp_error_last", [], ctypes.c_char_p),
]:
    fn = getattr(_lib, name)
    fn.argtypes, fn.restype = args, res


class EngineError(Exception):
    pass


def _check(rc):
    if rc != 0:
        raise EngineError(f"{rc}: {_lib.authp_error_last().decode()}")


class Engine:
    """An engine whose clock is `self.now` (seconds)."""

    def __init__(self, config):
        self.now = 0.0
        self._clock = CLOCK(lambda _payload: self.now)  # kept alive with the engine
        cfg = _p()
        _check(_lib.authp_config_new(ctypes.byref(cfg)))
        text = json.dumps(config).encode()
        _check(_lib.authp_config_load_json(cfg, text, len(text), None))
        _check(_lib.authp_config_set_clock(cfg, self._clock, None, None))
        self._engine = _p()
        try:
            _check(_lib.authp_engine_new(ctypes.byref(self._engine), cfg))
        finally:
            _lib.authp_config_free(cfg)

    def add_user(self, name):
        raw = name.encode()
        _check(_lib.authp_user_add(None, self._engine, raw, len(raw), None, 0, 0))

    def decide(self, view=None, remote_addr=None, remote_user=None, headers=(), method=None, secure=False, form=None):
        req = _p()
        _check(_lib.authp_request_new(ctypes.byref(req), self._engine))
        try:
            if secure:
                _check(_lib.authp_request_set_secure(req, 1))
            for name, value in (form or {}).items():
                n, v = name.encode(), value.encode()
                _check(_lib.authp_request_set_form_field(req, n, len(n), v, len(v)))
            for setter, value in ((_lib.authp_request_set_view, view), (_lib.authp_request_set_remote_addr, remote_addr),
                                  (_lib.authp_request_set_remote_user, remote_user),
                                  (_lib.authp_request_set_method, method)):
                if value is not None:
                    raw = value.encode()
                    _check(setter(req, raw, len(raw)))
            for name, value in headers:
                n, v = name.encode(), value.encode("latin-1")
                _check(_lib.authp_request_add_header(req, n, len(n), v, len(v)))
            decision = _p()
            _check(_lib.authp_engine_evaluate(ctypes.byref(decision), self._engine, req))
            try:
                return json.loads(_lib.authp_decision_to_json(decision, None))
            finally:
                _lib.authp_decision_free(decision)
        finally:
            _lib.authp_request_free(req)

    def __del__(self):
        if getattr(self, "_engine", None):
            _lib.authp_engine_free(self._engine)
            self._engine = None
