# Warnings for the project's own targets: -Wall -Wextra everywhere, -Werror in CI builds.
function(authp_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wno-missing-field-initializers)
  if(AUTHP_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
