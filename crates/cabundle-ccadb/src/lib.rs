//! CCADB root reports and NSS certdata.txt, parsed by header name into typed rows
