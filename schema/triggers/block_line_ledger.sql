CREATE TRIGGER block_line_ledger_append_only BEFORE UPDATE OR DELETE ON block_line_ledger
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.ledger_append_only();
