module github.com/libauthpolicy/authpolicy-go/bench

go 1.19

require github.com/libauthpolicy/authpolicy-go v0.0.0

replace github.com/libauthpolicy/authpolicy-go => ../../bindings/go
