CREATE TRIGGER direct_edit_reviews_check BEFORE INSERT ON direct_edit_reviews
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.direct_edit_review_check();

CREATE TRIGGER direct_edit_reviews_apply AFTER INSERT ON direct_edit_reviews
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.direct_edit_review_apply();

CREATE TRIGGER direct_edit_reviews_append_only BEFORE UPDATE OR DELETE ON direct_edit_reviews
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.audit_append_only();
