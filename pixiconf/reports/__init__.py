"""Reports of a run: the JSON report (:mod:`.json_report`) and the ``pixiconf report``
command (:mod:`.command`)."""
