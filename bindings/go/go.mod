module github.com/libauthpolicy/authpolicy-go

go 1.19
