# Packaging: what `cmake --install` and `cpack -G DEB` ship besides the binary (shell completions,
# the systemd user unit, docs), the .deb's metadata, and the docs/cli.md generator target.
include(GNUInstallDirs)

# Shell completions, generated from the command definitions by the gw just built.
set(GW_GEN_DIR ${CMAKE_BINARY_DIR}/generated)
add_custom_command(
  OUTPUT ${GW_GEN_DIR}/gw.bash ${GW_GEN_DIR}/_gw ${GW_GEN_DIR}/gw.fish
  COMMAND ${CMAKE_COMMAND} -E make_directory ${GW_GEN_DIR}
  COMMAND sh -c "'$<TARGET_FILE:gw>' completion bash > '${GW_GEN_DIR}/gw.bash'"
  COMMAND sh -c "'$<TARGET_FILE:gw>' completion zsh > '${GW_GEN_DIR}/_gw'"
  COMMAND sh -c "'$<TARGET_FILE:gw>' completion fish > '${GW_GEN_DIR}/gw.fish'"
  DEPENDS gw VERBATIM)
add_custom_target(gw_completions ALL DEPENDS ${GW_GEN_DIR}/gw.bash ${GW_GEN_DIR}/_gw ${GW_GEN_DIR}/gw.fish)

# docs/cli.md is checked in; a test keeps it equal to `gw help-markdown` (run with a clean
# environment so that env-dependent defaults do not leak into it).
add_custom_target(docs_cli
  COMMAND sh -c "env -i PATH=/usr/bin:/bin HOME=/nonexistent LANG=C.UTF-8 '$<TARGET_FILE:gw>' help-markdown > '${CMAKE_SOURCE_DIR}/docs/cli.md'"
  DEPENDS gw VERBATIM COMMENT "Regenerating docs/cli.md")

install(FILES ${GW_GEN_DIR}/gw.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME gw)
install(FILES ${GW_GEN_DIR}/gw.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
if(APPLE)
  install(FILES ${GW_GEN_DIR}/_gw DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
else()
  install(FILES ${GW_GEN_DIR}/_gw DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
  # The systemd user unit, for every user of the machine (`systemctl --user enable gw-agent`).
  # Its ExecStart names the installed binary, so it is written at install time, when the prefix
  # is known (`cmake --install --prefix`, CPack's /usr).
  install(CODE "
    set(GW_BIN \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/gw\")
    configure_file(\"${CMAKE_SOURCE_DIR}/installers/systemd/gw-agent.service.in\" \"${GW_GEN_DIR}/gw-agent.service\" @ONLY)")
  install(FILES ${GW_GEN_DIR}/gw-agent.service DESTINATION lib/systemd/user)
endif()
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/cli.md ${CMAKE_SOURCE_DIR}/docs/install.md
              ${CMAKE_SOURCE_DIR}/docs/policy.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The .deb: `cpack -G DEB` in the build dir. Depends are computed from the binary (shlibdeps).
set(CPACK_PACKAGE_NAME gw)
set(CPACK_PACKAGE_VENDOR "gw")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Governance gateway for AI coding agents (Claude Code, Codex CLI, Gemini CLI)")
set(CPACK_PACKAGE_CONTACT "gw maintainers <gw-maintainers@users.noreply.github.com>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "gnome-keyring, bash-completion")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "gw runs Claude Code, Codex CLI and Gemini CLI through a loopback sidecar that
 enforces model access, budgets and rate limits, scans for secrets, keeps a
 tamper-evident audit trail, and keeps provider keys in the OS keychain.")
include(CPack)
